package emulatortest

import (
	"context"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
)

// ServiceClient returns a service client for hub that talks to the emulator
// with its connection string; options are those of
// webpubsub.NewServiceClientFromConnectionString (nil: the SDK's defaults,
// with azcore's retry policy). It fails the test if the client cannot be
// created, for example for an invalid hub name.
func (s *Server) ServiceClient(hub string, options *webpubsub.ClientOptions) *webpubsub.ServiceClient {
	if s.t != nil {
		s.t.Helper()
	}
	sc, err := webpubsub.NewServiceClientFromConnectionString(s.ConnectionString(), hub, options)
	if err != nil {
		s.fatalf("emulatortest: ServiceClient(%q): %v", hub, err)
		return nil
	}
	return sc
}

// ClientURL returns a client access URL of hub
// (ws://127.0.0.1:PORT/client/hubs/HUB?access_token=...), minted by the
// service SDK with token (nil: an anonymous client with no roles and no
// groups whose token is valid for 60 minutes; set UserID, Roles, Groups and
// ExpiresAfter there). It fails the test if the SDK refuses the options.
func (s *Server) ClientURL(hub string, token *webpubsub.ServiceClientGetClientAccessTokenOptions) string {
	if s.t != nil {
		s.t.Helper()
	}
	sc, err := webpubsub.NewServiceClientFromConnectionString(s.ConnectionString(), hub, nil)
	if err != nil {
		s.fatalf("emulatortest: ClientURL(%q): %v", hub, err)
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), ClientTimeout)
	defer cancel()
	resp, err := sc.GetClientAccessToken(ctx, token)
	if err != nil {
		s.fatalf("emulatortest: ClientURL(%q): minting the client access token: %v", hub, err)
		return ""
	}
	return resp.URL
}

// NewClient starts a Go client of hub with opts (nil: the client's defaults)
// and returns it once the emulator has confirmed its connection. The client
// connects with the URL that ClientURL(hub, token) returns, for as long as it
// runs: a test of token expiry sets token.ExpiresAfter, one that needs a
// fresh token for every connection uses client.NewWithURLProvider with
// ClientURL instead. NewClient waits at most ClientTimeout, and fails the
// test if the client cannot be created or connect. The client is stopped by
// Close (at the end of the test for a Server from New); stopping it earlier
// is allowed.
func (s *Server) NewClient(hub string, token *webpubsub.ServiceClientGetClientAccessTokenOptions, opts *client.Options) *client.Client {
	if s.t != nil {
		s.t.Helper()
	}
	s.mu.Lock()
	closing := s.closing
	s.mu.Unlock()
	if closing {
		s.fatalf("emulatortest: NewClient(%q): %v", hub, errClosed)
		return nil
	}
	u := s.ClientURL(hub, token)
	if u == "" {
		return nil // ClientURL has failed the test
	}
	c, err := client.New(u, opts)
	if err != nil {
		s.fatalf("emulatortest: NewClient(%q): %v", hub, err)
		return nil
	}
	if err := s.startClient(c, hub); err != nil {
		s.fatalf("emulatortest: NewClient(%q): %v", hub, err)
		return nil
	}
	return c
}

// startClient starts c and hands it to Close, or stops it again if the
// Server was closed meanwhile.
func (s *Server) startClient(c *client.Client, hub string) error {
	ctx, cancel := context.WithTimeout(context.Background(), ClientTimeout)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		stopCtx, stopCancel := context.WithTimeout(context.Background(), ClientTimeout)
		defer stopCancel()
		_ = c.Stop(stopCtx) // frees what a half-started client holds; Start's error is the one to report
		return err
	}
	s.mu.Lock()
	closing := s.closing
	if !closing {
		s.clients = append(s.clients, startedClient{c: c, hub: hub})
	}
	s.mu.Unlock()
	if closing {
		_ = c.Stop(ctx)
		return errClosed
	}
	return nil
}
