package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	webpubsub "github.com/webpubsub-go/webpubsub"
)

// reachTimeout bounds the check that the service's endpoint accepts
// connections, so that a wrong endpoint fails fast instead of after the
// SDK's retries.
const reachTimeout = 2 * time.Second

// errKeyless explains why a keyless connection string cannot be used here.
var errKeyless = errors.New("the connection string has AuthType=azure.msi and no access key: " +
	"this command signs with an access key, so use a connection string with AccessKey=... " +
	"(the emulator prints one); in Go code, keyless access needs webpubsub.NewServiceClient with a Microsoft Entra credential (azidentity)")

// newServiceClient returns a service client for hub from a connection
// string, with errors that say what to do.
func newServiceClient(connectionString, hub string) (*webpubsub.ServiceClient, webpubsub.ConnectionString, error) {
	cs, err := webpubsub.ParseConnectionString(connectionString)
	if err != nil {
		if isKeyless(connectionString) {
			return nil, cs, errKeyless
		}
		return nil, cs, err
	}
	if isKeyless(connectionString) && cs.AccessKey == "" {
		return nil, cs, errKeyless
	}
	svc, err := webpubsub.NewServiceClientFromConnectionString(connectionString, hub, nil)
	return svc, cs, err
}

// isKeyless reports whether a connection string asks for Microsoft Entra
// (managed identity) authentication.
func isKeyless(connectionString string) bool {
	for _, part := range strings.Split(connectionString, ";") {
		k, v, _ := strings.Cut(part, "=")
		if strings.EqualFold(strings.TrimSpace(k), "AuthType") && strings.EqualFold(strings.TrimSpace(v), "azure.msi") {
			return true
		}
	}
	return false
}

// checkReachable fails fast, with a hint, when nothing accepts TCP
// connections at the endpoint. Behind a proxy (HTTPS_PROXY, HTTP_PROXY) it
// checks nothing.
func checkReachable(ctx context.Context, endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return fmt.Errorf("invalid endpoint %q", endpoint)
	}
	if req, err := http.NewRequest(http.MethodGet, endpoint, nil); err == nil {
		if proxy, err := http.ProxyFromEnvironment(req); err != nil || proxy != nil {
			return nil // through a proxy a direct dial proves nothing; the call itself will tell
		}
	}
	host := u.Host
	if u.Port() == "" {
		port := "443"
		if u.Scheme == "http" || u.Scheme == "ws" {
			port = "80"
		}
		host = net.JoinHostPort(u.Hostname(), port)
	}
	ctx, cancel := context.WithTimeout(ctx, reachTimeout)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		hint := "check the Endpoint of the connection string"
		if errors.Is(err, syscall.ECONNREFUSED) {
			hint = "nothing listens there: is the emulator running (webpubsub emulator)? Check the Endpoint of the connection string"
		}
		return fmt.Errorf("cannot reach %s (%v): %s", endpoint, unwrapOp(err), hint)
	}
	c.Close()
	return nil
}

// unwrapOp returns the innermost cause of a network error ("connection
// refused" rather than "dial tcp 127.0.0.1:1: connect: connection refused").
func unwrapOp(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		var se interface{ Unwrap() error }
		if errors.As(op.Err, &se) && se.Unwrap() != nil {
			return se.Unwrap()
		}
		return op.Err
	}
	return err
}
