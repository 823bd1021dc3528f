package protocol

import (
	"errors"
	"reflect"
	"testing"
)

// FuzzDecodeProtobuf feeds arbitrary frames to both protobuf decoders: they
// must never panic, and a frame they accept must survive a re-encoding
// unchanged (normalized the way EncodeProtobuf writes payloads).
func FuzzDecodeProtobuf(f *testing.F) {
	for _, m := range []Message{
		JoinGroupMessage{Group: "g", AckID: ack(1)},
		SendToGroupMessage{Group: "g", AckID: ack(2), NoEcho: true, Data: textPayload},
		EventMessage{Event: "e", Data: jsonPayload, Metadata: map[string]string{"a": "b"}},
		SequenceAckMessage{SequenceID: 3},
		PingMessage{},
		AckMessage{AckID: 1, Error: &AckError{Name: "Forbidden", Message: "no"}},
		GroupDataMessage{Group: "g", Data: anyPayload(f, 4), SequenceID: 5},
		ConnectedMessage{ConnectionID: "c", ReconnectionToken: "t"},
		InvokeMessage{InvocationID: "1", Target: InvokeTargetEvent, Event: "e", Data: textPayload},
		InvokeSucceeded("1", jsonPayload),
		StreamDataMessage{StreamID: "s", StreamSequenceID: 1, Data: binaryPayload},
		SendToGroupMessage{Group: "g", Stream: &StreamOpen{StreamID: "s", IdleTimeoutMs: 10}},
		GroupDataMessage{Group: "g", Data: Payload{Type: DataTypeJSON}, Stream: &StreamInfo{StreamID: "s", StreamSequenceID: 2, EndOfStream: true}},
		SetGroupStateMessage{Group: "g", State: map[string]string{"k": "v"}},
		GroupStateSnapshotMessage{Group: "g", Items: []GroupStateItem{{ConnectionID: "c", State: map[string]string{"k": "v"}}}},
	} {
		b, err := EncodeProtobuf(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, dir := range []struct {
			name   string
			decode func([]byte) (Message, error)
		}{{"upstream", DecodeUpstream}, {"downstream", DecodeDownstream}} {
			m, err := dir.decode(b)
			_, _ = ProbeUpstream(b)
			if err != nil {
				continue
			}
			if _, unknown := m.(UnknownMessage); unknown {
				continue // dropped by readers, never encoded
			}
			again, err := EncodeProtobuf(m)
			if err != nil {
				t.Fatalf("%s: decoded %#v does not encode: %v", dir.name, m, err)
			}
			m2, err := dir.decode(again)
			if err != nil {
				t.Fatalf("%s: re-encoded %#v does not decode: %v", dir.name, m, err)
			}
			if !equalMessages(m, m2) {
				t.Fatalf("%s: round trip changed %#v into %#v", dir.name, m, m2)
			}
		}
	})
}

// equalMessages compares two decoded messages, treating a nil and an empty
// metadata map alike.
func equalMessages(a, b Message) bool {
	if ea, ok := a.(EventMessage); ok {
		eb, ok := b.(EventMessage)
		if !ok || len(ea.Metadata) != len(eb.Metadata) {
			return false
		}
		for k, v := range ea.Metadata {
			if eb.Metadata[k] != v {
				return false
			}
		}
		ea.Metadata, eb.Metadata = nil, nil
		return deepEqual(ea, eb)
	}
	return deepEqual(a, b)
}

// deepEqual compares messages with empty and nil payload bytes alike.
func deepEqual(a, b Message) bool {
	return reflect.DeepEqual(emptyToNil(a), emptyToNil(b))
}

func emptyToNil(m Message) Message {
	fix := func(p *Payload) {
		if len(p.Data) == 0 {
			p.Data = nil
		}
	}
	switch v := m.(type) {
	case SendToGroupMessage:
		fix(&v.Data)
		return v
	case EventMessage:
		fix(&v.Data)
		return v
	case GroupDataMessage:
		fix(&v.Data)
		return v
	case ServerDataMessage:
		fix(&v.Data)
		return v
	}
	return m
}

// FuzzDecodeProtobufRequest checks the service's strict protobuf reader: it
// never panics, every error wraps ErrInvalidMessage, and what it accepts is
// what DecodeUpstream reads.
func FuzzDecodeProtobufRequest(f *testing.F) {
	for _, m := range []Message{
		JoinGroupMessage{Group: "g", AckID: ack(1)},
		SendToGroupMessage{Group: "g", Data: textPayload, TTLSeconds: 301},
		EventMessage{Event: "bad name", Data: jsonPayload},
		InvokeMessage{InvocationID: "1", Event: "e"},
		SetGroupStateMessage{Group: " "},
	} {
		b, err := EncodeProtobuf(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeProtobufRequest(b)
		if err != nil {
			if m != nil || !errors.Is(err, ErrInvalidMessage) {
				t.Fatalf("DecodeProtobufRequest(%x) = %#v, %v: an error must come alone and wrap ErrInvalidMessage", b, m, err)
			}
			return
		}
		lenient, err := DecodeUpstream(b)
		if err != nil || !reflect.DeepEqual(lenient, m) {
			t.Fatalf("DecodeProtobufRequest(%x) = %#v but DecodeUpstream = %#v, %v", b, m, lenient, err)
		}
	})
}
