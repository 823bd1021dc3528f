package webpubsub

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/auth"
)

// One client is used from many goroutines while its key rotates; run with
// -race. Every request must carry a token signed by one of the two keys for
// exactly its own URL.
func TestConcurrentUseWithKeyRotation(t *testing.T) {
	ts := newTestServer(t, reply{status: 202})
	cred := azcore.NewKeyCredential("key-one")
	c, err := NewServiceClientWithKey(ts.URL(), cred, "hub1", ts.testOptions())
	require.NoError(t, err)

	const workers, perWorker = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker*2+1)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				errs <- errOf(c.SendToUser(context.Background(), fmt.Sprint("user", w), TextMessage("m"), &ServiceClientSendToUserOptions{MessageTTLSeconds: i % 3}))
				tok, err := c.GetClientAccessToken(context.Background(), &ServiceClientGetClientAccessTokenOptions{UserID: fmt.Sprint("user", w)})
				if err == nil {
					_, err = auth.Verify(tok.Token, []string{"key-one", "key-two"}, nil, 0)
				}
				errs <- err
			}
		}(w)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		cred.Update("key-two")
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	reqs := ts.requests()
	require.Len(t, reqs, workers*perWorker)
	for _, r := range reqs {
		_, err1 := verifyAt(r, "key-one", ts.URL())
		_, err2 := verifyAt(r, "key-two", ts.URL())
		assert.True(t, err1 == nil || err2 == nil, "request %s has a token for another URL or key", r.RequestURI)
	}
}
