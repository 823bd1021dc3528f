package trace_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator/trace"
)

func TestRingKeepsTheLatestEvents(t *testing.T) {
	r := trace.New(trace.Options{Capacity: 3})
	for i := 1; i <= 5; i++ {
		r.Record(trace.Event{Kind: trace.KindREST, Path: fmt.Sprint(i)})
	}
	snap := r.Snapshot()
	require.Len(t, snap.Events, 3)
	for i, ev := range snap.Events {
		assert.Equal(t, fmt.Sprint(i+3), ev.Path)
		assert.Equal(t, uint64(i+3), ev.Seq)
		assert.False(t, ev.Time.IsZero())
	}
	r.Clear()
	assert.Empty(t, r.Snapshot().Events)
	r.Record(trace.Event{Kind: trace.KindREST, Path: "6"})
	assert.Equal(t, uint64(6), r.Snapshot().Events[0].Seq, "sequence numbers go on after Clear")
}

func TestDefaultCapacityIsTenThousand(t *testing.T) {
	r := trace.New(trace.Options{})
	for i := 0; i < trace.DefaultCapacity+10; i++ {
		r.Record(trace.Event{Kind: trace.KindREST})
	}
	snap := r.Snapshot()
	require.Len(t, snap.Events, 10000)
	assert.Equal(t, uint64(11), snap.Events[0].Seq)
	assert.Equal(t, uint64(10010), snap.Events[len(snap.Events)-1].Seq)
}

func TestConnectionTable(t *testing.T) {
	r := trace.New(trace.Options{MaxGoneConnections: 1})
	conn := func(id string) trace.Connection {
		for _, c := range r.Connections() {
			if c.ConnectionID == id {
				return c
			}
		}
		t.Fatalf("no row for %s in %+v", id, r.Connections())
		return trace.Connection{}
	}
	r.Record(trace.Event{Kind: trace.KindJoined, Hub: "h", ConnectionID: "a", Group: "early"})
	assert.Empty(t, r.Connections(), "a join before the connection is established makes no row")
	r.Record(trace.Event{Kind: trace.KindConnected, Hub: "h", ConnectionID: "a", UserID: "ann", Subprotocol: "json.webpubsub.azure.v1", Groups: []string{"z", "early"}})
	assert.Equal(t, []string{"early", "z"}, conn("a").Groups)
	assert.Equal(t, trace.StateConnected, conn("a").State)
	r.Record(trace.Event{Kind: trace.KindJoined, Hub: "h", ConnectionID: "a", Group: "m"})
	r.Record(trace.Event{Kind: trace.KindLeft, Hub: "h", ConnectionID: "a", Group: "z"})
	assert.Equal(t, []string{"early", "m"}, conn("a").Groups)
	r.Record(trace.Event{Kind: trace.KindDropped, Hub: "h", ConnectionID: "a"})
	assert.Equal(t, trace.StateRecovering, conn("a").State)
	r.Record(trace.Event{Kind: trace.KindRecovered, Hub: "h", ConnectionID: "a"})
	assert.Equal(t, trace.StateConnected, conn("a").State)
	r.Record(trace.Event{Kind: trace.KindDisconnected, Hub: "h", ConnectionID: "a", Reason: "bye"})
	assert.Equal(t, trace.StateGone, conn("a").State)
	assert.Equal(t, "bye", conn("a").Reason)

	r.Record(trace.Event{Kind: trace.KindConnected, Hub: "h", ConnectionID: "b"})
	r.Record(trace.Event{Kind: trace.KindConnected, Hub: "h2", ConnectionID: "c"})
	r.Record(trace.Event{Kind: trace.KindDisconnected, Hub: "h", ConnectionID: "b"})
	ids := []string{}
	for _, c := range r.Connections() {
		ids = append(ids, c.ConnectionID)
	}
	assert.Equal(t, []string{"b", "c"}, ids, "only the last gone connection is kept (MaxGoneConnections 1)")
	r.Record(trace.Event{Kind: trace.KindReset})
	assert.Equal(t, trace.StateGone, conn("c").State)
	assert.Equal(t, []string{"h", "h2"}, r.Snapshot().Hubs)
}

func TestSlowSubscriberDropsAndCountsWithoutBlocking(t *testing.T) {
	r := trace.New(trace.Options{SubscriberQueue: 4})
	slow, _ := r.Subscribe(0)
	defer slow.Close()
	fast, _ := r.Subscribe(0)
	defer fast.Close()

	got := make(chan int)
	go func() {
		n := 0
		for range fast.Updates() {
			n++
			if n == 100 {
				got <- n
				return
			}
		}
	}()
	done := make(chan struct{})
	go func() {
		for i := 0; i < 100; i++ {
			r.Record(trace.Event{Kind: trace.KindREST})
			// Let the fast reader keep up; the slow one never reads.
			for len(fast.Updates()) == cap(fast.Updates()) {
				time.Sleep(time.Millisecond)
			}
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Record blocked on a subscriber that does not read")
	}
	assert.Equal(t, 100, <-got)
	assert.Equal(t, uint64(96), slow.Dropped(), "4 queued, the rest dropped and counted")
	assert.Len(t, slow.Updates(), 4)
	assert.Equal(t, uint64(0), fast.Dropped())
}

func TestSubscribeSnapshotAndUpdatesDoNotOverlap(t *testing.T) {
	r := trace.New(trace.Options{})
	r.Record(trace.Event{Kind: trace.KindREST, Path: "before"})
	sub, snap := r.Subscribe(10)
	defer sub.Close()
	r.Record(trace.Event{Kind: trace.KindConnected, Hub: "h", ConnectionID: "x"})
	require.Len(t, snap.Events, 1)
	assert.Equal(t, "before", snap.Events[0].Path)
	u := <-sub.Updates()
	assert.Equal(t, trace.KindConnected, u.Event.Kind)
	require.NotNil(t, u.Connection, "an event that changes a connection carries its new row")
	assert.Equal(t, trace.StateConnected, u.Connection.State)

	r.Close()
	select {
	case <-sub.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end the subscription")
	}
	r.Record(trace.Event{Kind: trace.KindREST})
	assert.Len(t, r.Snapshot().Events, 2, "nothing is recorded after Close")
}

func TestSecretsAndTokensAreRedacted(t *testing.T) {
	const key = "c2VjcmV0LWFjY2Vzcy1rZXktMTIzNDU2Nzg5MA=="
	const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
	r := trace.New(trace.Options{Secrets: []string{key}})
	texts := []string{
		"the key is " + key,
		"Endpoint=http://x;AccessKey=" + key + ";Version=1.0;",
		"token " + jwt,
		"ws://h/client/hubs/x?access_token=" + jwt,
		"Authorization: Bearer abc.def.ghi",
		"a cut token " + jwt[:20],
	}
	for _, text := range texts {
		r.Record(trace.Event{Kind: trace.KindMessage, Preview: r.Preview([]byte(text)), Reason: text, Target: text, Path: text})
	}
	// A secret that starts inside the preview and ends after its cut.
	long := strings.Repeat("x", trace.PreviewBytes-10) + key
	r.Record(trace.Event{Kind: trace.KindMessage, Preview: r.Preview([]byte(long))})
	all := fmt.Sprintf("%+v", r.Snapshot())
	for _, secret := range []string{key, key[:12], jwt, jwt[:20], "abc.def.ghi", "eyJhdWQiOiJ4In0"} {
		assert.NotContains(t, all, secret)
	}
	assert.Contains(t, all, trace.Redacted)
	assert.Contains(t, all, "the key is "+trace.Redacted)
}

func TestPreviewCutsAtACharacterBoundary(t *testing.T) {
	r := trace.New(trace.Options{})
	p := r.Preview([]byte(strings.Repeat("é", 200)))
	assert.True(t, strings.HasSuffix(p, "…"))
	assert.LessOrEqual(t, len(p), trace.PreviewBytes+len("…"))
	assert.Equal(t, "short", r.Preview([]byte("short")))
	assert.Equal(t, "a\uFFFDb", r.Preview([]byte{'a', 0xff, 'b'}))
}

func TestRowsWithoutGroupsHaveAnEmptyList(t *testing.T) {
	r := trace.New(trace.Options{})
	sub, _ := r.Subscribe(0)
	defer sub.Close()
	r.Record(trace.Event{Kind: trace.KindConnected, Hub: "h", ConnectionID: "a"})
	u := <-sub.Updates()
	require.NotNil(t, u.Connection)
	assert.NotNil(t, u.Connection.Groups, "the page reads groups as a list, never null")
	assert.NotNil(t, r.Connections()[0].Groups)
}
