// Command chat is the Azure Web PubSub chat sample. It is the application
// server of a group chat: it serves the chat page, hands each user a client
// access URL at /negotiate, and handles the service's upstream events to
// announce who joins and leaves.
//
// The samples are their own module; run them from the examples directory.
// With a Web PubSub resource:
//
//	WEBPUBSUB_CONNECTION_STRING='Endpoint=https://<name>.webpubsub.azure.com;AccessKey=<key>;Version=1.0;' go run ./chat
//
// Without one, it starts the emulator in-process and needs nothing else:
//
//	go run ./chat [-addr 127.0.0.1:3000]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator"
)

// connectionStringEnv names the environment variable holding the connection
// string of the Web PubSub resource.
const connectionStringEnv = "WEBPUBSUB_CONNECTION_STRING"

func main() {
	addr := flag.String("addr", "127.0.0.1:3000", "address the chat server listens on (not 8080, which the emulator uses)")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ln, err := net.Listen("tcp", *addr)
	if err == nil {
		err = run(ctx, ln, os.Getenv(connectionStringEnv), os.Stdout, logger)
	}
	if err != nil {
		logger.Error("chat server failed", "err", err)
		os.Exit(1)
	}
}

// run serves the chat on ln until ctx is done, then shuts down. With an empty
// connectionString it starts an emulator whose upstream events come back to
// ln. It prints the page's address to stdout.
func run(ctx context.Context, ln net.Listener, connectionString string, stdout io.Writer, logger *slog.Logger) error {
	base := baseURL(ln.Addr())
	if connectionString == "" {
		emu, err := startEmulator(base)
		if err != nil {
			ln.Close()
			return err
		}
		defer emu.Close()
		connectionString = emu.ConnectionString()
		fmt.Fprintf(stdout, "%s is not set: using the in-process emulator at %s\n", connectionStringEnv, emu.URL())
	}

	handler, err := newServer(connectionString, logger)
	if err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "Chat is running: open %s/ in two browser windows\n", base)

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}

// startEmulator starts a local Web PubSub service that posts the chat hub's
// "connected" and "disconnected" events to the chat server at serverURL. On
// Azure the same is set in the hub's event handler settings.
func startEmulator(serverURL string) (*emulator.Emulator, error) {
	return emulator.New(&emulator.Options{
		Upstream: []emulator.UpstreamHandler{{
			Hub:          hubName,
			URLTemplate:  serverURL + eventHandlerPath + "{event}",
			SystemEvents: []string{"connected", "disconnected"},
		}},
	})
}

// baseURL returns the http URL at which a listener on addr is reached from
// this machine; an unspecified host (0.0.0.0, ::) becomes 127.0.0.1.
func baseURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
