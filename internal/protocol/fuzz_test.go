package protocol

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// normalizeJSONData returns m with a json payload in the form Encode writes
// it (compact, HTML-escaped), so that messages can be compared after a round
// trip.
func normalizeJSONData(t *testing.T, m Message) Message {
	fix := func(p *Payload) {
		if p.Type != DataTypeJSON || len(p.Data) == 0 {
			return
		}
		b, err := json.Marshal(json.RawMessage(p.Data))
		if err != nil {
			t.Fatalf("json payload %q does not re-marshal: %v", p.Data, err)
		}
		p.Data = b
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
	case InvokeMessage:
		fix(&v.Data)
		return v
	case InvokeResponseMessage:
		fix(&v.Data)
		return v
	case StreamDataMessage:
		fix(&v.Data)
		return v
	}
	return m
}

func FuzzDecode(f *testing.F) {
	for _, tc := range wireCases {
		f.Add([]byte(tc.wire))
	}
	for _, tc := range previewWireCases {
		f.Add([]byte(tc.wire))
	}
	f.Add([]byte(`{"type":"event","event":"e","dataType":"json","data": { "a" : "<b>" } }`))
	f.Add([]byte(`{"type":"sendToGroup","group":"g","dataType":"binary","data":"!!"}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			if m != nil {
				t.Fatalf("Decode(%q) returned a message and an error", b)
			}
			return
		}
		if _, unknown := m.(UnknownMessage); unknown {
			return // dropped by readers; cannot be encoded
		}
		out, err := Encode(m)
		if err != nil {
			t.Fatalf("Decode(%q) = %#v, but Encode fails: %v", b, m, err)
		}
		m2, err := Decode(out)
		if err != nil {
			t.Fatalf("Encode wrote %q, which does not decode: %v", out, err)
		}
		if want := normalizeJSONData(t, m); !reflect.DeepEqual(want, m2) {
			t.Fatalf("round trip changed the message:\n in:  %q\n 1st: %#v\n out: %q\n 2nd: %#v", b, want, out, m2)
		}
		out2, err := Encode(m2)
		if err != nil || string(out2) != string(out) {
			t.Fatalf("Encode is not stable: %q then %q (%v)", out, out2, err)
		}
	})
}

// FuzzDecodeJSONRequest checks the service's strict reader: it never panics,
// every error wraps ErrInvalidMessage, and a frame it accepts re-encodes to a
// frame it accepts again as the same message (the JSON encoding carries no
// ttlSeconds).
func FuzzDecodeJSONRequest(f *testing.F) {
	for _, s := range []string{
		`{"type":"joinGroup","group":"room","ackId":1}`,
		`{"type":"SENDTOGROUP","group":"room","data":"hi","ttlSeconds":300}`,
		`{"type":"sendToGroup","group":"room","dataType":"binary","data":"AQI=","noEcho":true}`,
		`{"type":"event","event":"a.b-c","dataType":"Text","data":"x"}`,
		`{"type":"invoke","invocationId":"1","event":"e","dataType":"json","data":{}}`,
		`{"type":"sendToGroup","group":"g","stream":{"streamId":"s"}}`,
		`{"type":"setGroupState","group":"g","state":{"k":"v"}}`,
		`{"type":"sequenceAck","sequenceId":1}`,
		`{"type":"joinGroup","group":"room","ackId":-1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeJSONRequest(b)
		if err != nil {
			if m != nil || !errors.Is(err, ErrInvalidMessage) {
				t.Fatalf("DecodeJSONRequest(%q) = %#v, %v: an error must come alone and wrap ErrInvalidMessage", b, m, err)
			}
			return
		}
		out, err := Encode(m)
		if err != nil {
			t.Fatalf("DecodeJSONRequest(%q) = %#v, but Encode fails: %v", b, m, err)
		}
		m2, err := DecodeJSONRequest(out)
		if err != nil {
			t.Fatalf("Encode wrote %q, which the service refuses: %v", out, err)
		}
		want := normalizeJSONData(t, m)
		if s, ok := want.(SendToGroupMessage); ok {
			s.TTLSeconds = 0
			want = s
		}
		if !reflect.DeepEqual(want, m2) {
			t.Fatalf("round trip changed the request:\n in:  %q\n 1st: %#v\n out: %q\n 2nd: %#v", b, want, out, m2)
		}
	})
}
