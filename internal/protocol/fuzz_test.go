package protocol

import (
	"encoding/json"
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
