package tasks

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestCloseRefusesWorkAndWaitWaitsForTheRest(t *testing.T) {
	var g Group
	var ran atomic.Int32
	release := make(chan struct{})
	assert.True(t, g.Go(func() { <-release; ran.Add(1) }))
	assert.True(t, g.Add())
	g.Close()
	assert.True(t, g.Closed())
	assert.False(t, g.Go(func() { ran.Add(10) }), "no work once closed")
	assert.False(t, g.Add())
	close(release)
	g.Done()
	g.Wait()
	assert.Equal(t, int32(1), ran.Load())
}
