package trace_test

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator/trace"
)

// heapAfterGC returns the live heap after a full collection.
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// hugeEvent is an event whose every string is 1 MB of text a client could
// choose: a fresh 1 MB request path, and the other fields sliced from it as
// the emulator slices a hub name or an id out of a path (so each of them
// would keep the whole path alive if the recorder kept it as given).
func hugeEvent(i int) trace.Event {
	path := fmt.Sprintf("/api/hubs/hub%d/", i) + strings.Repeat("x", 1<<20)
	hub, _, _ := strings.Cut(strings.TrimPrefix(path, "/api/hubs/"), "/")
	at := func(n int) string { return path[n:] }
	return trace.Event{
		Kind: trace.KindREST, Hub: hub, Path: path, ConnectionID: at(1), UserID: at(2),
		Group: at(3), Target: at(4), Stream: at(5), InvocationID: at(6), Event: at(7),
		Method: at(8), Reason: at(9), Preview: at(10), Groups: []string{at(11), at(12)},
		Recipients: []string{at(13)},
	}
}

// TestHugeFieldsStayUnderTheByteCeiling: 2,000 events whose fields are 1 MB
// each (the attack of issue 21: 1.9 GiB of heap before) leave the recorder's
// heap growth under its ceiling, because every field is cut and copied.
func TestHugeFieldsStayUnderTheByteCeiling(t *testing.T) {
	const ceiling = 8 << 20
	r := trace.New(trace.Options{MaxBytes: ceiling})
	before := heapAfterGC()
	for i := 0; i < 2000; i++ {
		r.Record(hugeEvent(i))
	}
	after := heapAfterGC()
	runtime.KeepAlive(r)
	grown := int64(after) - int64(before)
	t.Logf("heap grew by %d KiB for 2,000 events of 1 MB fields; the recorder estimates %d KiB", grown>>10, r.MemoryBytes()>>10)
	assert.LessOrEqual(t, r.MemoryBytes(), ceiling)
	// The estimate and the heap agree within the ring's slots and the
	// allocator's rounding.
	assert.Less(t, grown, int64(ceiling+(4<<20)), "the recorder holds more than its ceiling")
	snap := r.Snapshot()
	require.NotEmpty(t, snap.Events)
	assert.Less(t, len(snap.Events), 2000, "the byte ceiling forgot the oldest events")
	ev := snap.Events[len(snap.Events)-1]
	assert.Equal(t, uint64(2000), ev.Seq)
	for name, v := range map[string]string{"Path": ev.Path, "ConnectionID": ev.ConnectionID, "Reason": ev.Reason, "Group": ev.Group, "Stream": ev.Stream} {
		assert.LessOrEqual(t, len(v), trace.MaxPathBytes+len("…"), name)
		assert.True(t, strings.HasSuffix(v, "…"), "%s is marked as cut", name)
	}
	for _, g := range ev.Groups {
		assert.LessOrEqual(t, len(g), trace.MaxFieldBytes+len("…"))
	}
}

// TestDefaultByteCeiling: with the defaults, 10,000 events of long names
// fit under DefaultMaxBytes.
func TestDefaultByteCeiling(t *testing.T) {
	r := trace.New(trace.Options{})
	long := strings.Repeat("n", 4096)
	for i := 0; i < trace.DefaultCapacity+100; i++ {
		r.Record(trace.Event{Kind: trace.KindMessage, Hub: long, Target: long, Path: long, Reason: long,
			Recipients: []string{long, long, long, long, long, long, long, long}, Groups: []string{long, long, long, long}})
	}
	assert.LessOrEqual(t, r.MemoryBytes(), trace.DefaultMaxBytes)
	assert.Less(t, len(r.Snapshot().Events), trace.DefaultCapacity, "the byte ceiling, not the count, bounded these")
}

// TestHubListForgetsHubsThatAreGone: the hub list holds only hubs that a
// kept event or connection row names, so a flood of hub names passes.
func TestHubListForgetsHubsThatAreGone(t *testing.T) {
	r := trace.New(trace.Options{Capacity: 10, MaxGoneConnections: 1})
	r.Record(trace.Event{Kind: trace.KindConnected, Hub: "live", ConnectionID: "a"})
	for i := 0; i < 1000; i++ {
		r.Record(trace.Event{Kind: trace.KindREST, Hub: fmt.Sprintf("flood%d", i)})
	}
	hubs := r.Snapshot().Hubs
	assert.Len(t, hubs, 11, "10 kept events and one live connection: %v", hubs)
	assert.Contains(t, hubs, "live", "a hub with a live connection stays")
	assert.Contains(t, hubs, "flood999")
	assert.NotContains(t, hubs, "flood0")

	r.Record(trace.Event{Kind: trace.KindDisconnected, Hub: "live", ConnectionID: "a"})
	r.Record(trace.Event{Kind: trace.KindConnected, Hub: "other", ConnectionID: "b"})
	r.Record(trace.Event{Kind: trace.KindDisconnected, Hub: "other", ConnectionID: "b"})
	for i := 0; i < 10; i++ {
		r.Record(trace.Event{Kind: trace.KindREST, Hub: "last"})
	}
	assert.Equal(t, []string{"last", "other"}, r.Snapshot().Hubs, "live's row was forgotten (one gone row kept) and its events too")
	r.Clear()
	assert.Equal(t, []string{"other"}, r.Snapshot().Hubs, "only the kept gone row names a hub now")
}

// TestGoneConnectionsAreBoundedByBytes: connections with many long groups
// come and go; the table keeps within MaxGoneBytes, live rows stay.
func TestGoneConnectionsAreBoundedByBytes(t *testing.T) {
	const goneBytes = 256 << 10
	r := trace.New(trace.Options{MaxGoneBytes: goneBytes})
	long := strings.Repeat("g", 1024)
	r.Record(trace.Event{Kind: trace.KindConnected, Hub: "h", ConnectionID: "live"})
	before := heapAfterGC()
	for i := 0; i < 400; i++ {
		id := fmt.Sprint("c", i)
		r.Record(trace.Event{Kind: trace.KindConnected, Hub: "h", ConnectionID: id})
		for g := 0; g < 100; g++ {
			r.Record(trace.Event{Kind: trace.KindJoined, Hub: "h", ConnectionID: id, Group: fmt.Sprint(g, long)})
		}
		r.Record(trace.Event{Kind: trace.KindDisconnected, Hub: "h", ConnectionID: id})
	}
	r.Clear() // the events are bounded apart; this test is about the table
	grown := int64(heapAfterGC()) - int64(before)
	conns := r.Connections()
	gone := 0
	for _, c := range conns {
		if c.State == trace.StateGone {
			gone++
			assert.Len(t, c.Groups, trace.MaxGroups)
			assert.True(t, c.GroupsTruncated, "100 groups joined, %d listed", trace.MaxGroups)
		}
	}
	t.Logf("%d gone rows kept, heap grew by %d KiB", gone, grown>>10)
	assert.Greater(t, gone, 0)
	assert.Less(t, gone, 400, "the byte bound forgot the oldest gone rows")
	assert.Equal(t, "live", conns[len(conns)-1].ConnectionID, "the live row stays")
	assert.Less(t, grown, int64(goneBytes+(1<<20)))
}

// TestEveryStringFieldIsRedacted: whatever field the emulator puts a
// client's text in (a stream id, an invocation id, a method name...), the
// access key and tokens never reach a subscriber.
func TestEveryStringFieldIsRedacted(t *testing.T) {
	const key = "c2VjcmV0LWFjY2Vzcy1rZXktMTIzNDU2Nzg5MA=="
	const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
	r := trace.New(trace.Options{Secrets: []string{key}})
	sub, _ := r.Subscribe(0)
	defer sub.Close()
	for _, secret := range []string{key, jwt} {
		var ev trace.Event
		v := reflect.ValueOf(&ev).Elem()
		fields := 0
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			switch {
			case f.Kind() == reflect.String:
				f.SetString("s1 " + secret + " #1")
				fields++
			case f.Type() == reflect.TypeOf([]string(nil)):
				f.Set(reflect.ValueOf([]string{"x " + secret}))
				fields++
			}
		}
		require.GreaterOrEqual(t, fields, 18, "every string and list field is set")
		ev.Kind = trace.KindMessage
		r.Record(ev)
		u := <-sub.Updates()
		out := fmt.Sprintf("%+v", u)
		assert.NotContains(t, out, secret)
		assert.NotContains(t, out, secret[:16])
		assert.Contains(t, u.Event.Stream, trace.Redacted)
		assert.Contains(t, u.Event.InvocationID, trace.Redacted)
		assert.Contains(t, u.Event.Method, trace.Redacted)
	}
}

// TestRedactionKeepsOrdinaryWords: prose around "token:" or "bearer" is
// kept; credentials after them are not.
func TestRedactionKeepsOrdinaryWords(t *testing.T) {
	r := trace.New(trace.Options{})
	for in, want := range map[string]string{
		"invalid access token: token signature is invalid": "invalid access token: token signature is invalid",
		"the bearer of bad news":                           "the bearer of bad news",
		"key: value":                                       "key: value",
		"Authorization: Bearer abc.def.ghi":                "Authorization: Bearer " + trace.Redacted,
		"token: 0123456789abcdef":                          "token: " + trace.Redacted,
		"password: hunter2":                                "password: " + trace.Redacted,
		"Endpoint=http://x;AccessKey=abc;Version=1.0;":     "Endpoint=http://x;AccessKey=" + trace.Redacted + ";Version=1.0;",
		"?access_token=abc&x=1":                            "?access_token=" + trace.Redacted + "&x=1",
	} {
		r.Record(trace.Event{Kind: trace.KindRefused, Reason: in})
		snap := r.Snapshot()
		assert.Equal(t, want, snap.Events[len(snap.Events)-1].Reason, in)
	}
}
