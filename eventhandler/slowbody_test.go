package eventhandler

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// slowSender opens a connection to addr, sends the headers of a POST that
// announces a large body, a few bytes of that body, and then nothing. It
// returns the status line of the answer, read while the body is still
// incomplete.
func slowSender(addr, path string, headers map[string]string, deadline time.Time) (string, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: 100000\r\nContent-Type: text/plain\r\n", path, addr)
	for k, v := range headers {
		fmt.Fprintf(&b, "%s: %s\r\n", k, v)
	}
	b.WriteString("\r\nthe start of a body that never ends")
	if _, err := conn.Write([]byte(b.String())); err != nil {
		return "", err
	}
	if err := conn.SetReadDeadline(deadline); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	return strings.TrimSpace(line), err
}

// An event the handler refuses on its headers is answered at once, while its
// body is still arriving: the handler never waits for (or drains) the body
// of a request it refuses. 200 slow senders got no answer within 8 s before.
func TestRefusalsDoNotWaitForTheBody(t *testing.T) {
	var called atomic.Int32
	h, err := New(testHub, &Options{
		AccessKeys:       []string{testKey},
		AllowedEndpoints: []string{testOrigin},
		OnUserEvent: func(context.Context, *UserEventRequest, *UserEventResponse) error {
			called.Add(1)
			return nil
		},
	})
	require.NoError(t, err)
	srv := newServer(t, h)
	addr := strings.TrimPrefix(srv.URL, "http://")
	base := map[string]string{
		protocol.HeaderType:          protocol.EventTypeUserPrefix + "message",
		protocol.HeaderHub:           testHub,
		protocol.HeaderConnectionID:  testConnID,
		protocol.HeaderRequestOrigin: testOrigin,
		protocol.HeaderAwpsVersion:   protocol.AwpsVersion,
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for bk, bv := range base {
			m[bk] = bv
		}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	cases := map[string]struct {
		headers map[string]string
		status  string
	}{
		"unsigned":          {base, "401"},
		"wrongly signed":    {with(protocol.HeaderSignature, protocol.Signature(testConnID, "guessed-key")), "401"},
		"no connection id":  {with(protocol.HeaderConnectionID, ""), "400"},
		"disallowed origin": {with(protocol.HeaderRequestOrigin, "evil.example"), "403"},
	}
	const senders = 50 // per case
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			deadline := time.Now().Add(20 * time.Second)
			var wg sync.WaitGroup
			lines := make([]string, senders)
			errs := make([]error, senders)
			for i := range senders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					lines[i], errs[i] = slowSender(addr, testPath, tc.headers, deadline)
				}()
			}
			wg.Wait()
			for i := range senders {
				require.NoError(t, errs[i], "sender %d got no answer while its body was incomplete", i)
				assert.Equal(t, "HTTP/1.1 "+tc.status+" "+http.StatusText(atoi(tc.status)), lines[i])
			}
		})
	}
	assert.Zero(t, called.Load(), "no callback ran")
}

func atoi(s string) int {
	var n int
	_, _ = fmt.Sscan(s, &n)
	return n
}
