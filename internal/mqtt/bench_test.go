package mqtt

import (
	"bytes"
	"testing"
)

// benchPublish is a typical 5.0 message: a short topic, a content type, a
// user property and a 256-byte payload.
var benchPublish = &Publish{QoS: QoS1, PacketID: 7, Topic: "sensors/room1", Payload: bytes.Repeat([]byte("x"), 256),
	Properties: Properties{ContentType: "application/json", User: []UserProperty{{"k", "v"}}}}

func BenchmarkEncodePublish(b *testing.B) {
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = Encode(buf[:0], benchPublish, V5); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePublish(b *testing.B) {
	wire, err := Encode(nil, benchPublish, V5)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(wire)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Decode(wire, V5, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReaderPublishStream(b *testing.B) {
	wire, err := Encode(nil, benchPublish, V5)
	if err != nil {
		b.Fatal(err)
	}
	stream := bytes.Repeat(wire, 1000)
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(stream), nil)
		r.SetVersion(V5)
		for range 1000 {
			if _, err := r.ReadPacket(); err != nil {
				b.Fatal(err)
			}
		}
	}
}
