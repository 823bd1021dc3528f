package mqtt

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

// fuzzLimits are small, so that the fuzzer reaches every limit.
var fuzzLimits = &Limits{MaxPacketSize: 4096, MaxUserProperties: 4, MaxUserPropertyBytes: 64,
	MaxTopicFilters: 4, MaxSubscriptionIDs: 2, MaxPropertiesBytes: 256}

// checkDecode decodes b as one packet for v and, when it decodes, checks
// the packet encodes and decodes back to itself. Errors must be *Error or
// ErrIncomplete.
func checkDecode(t *testing.T, b []byte, v Version) {
	p, n, err := Decode(b, v, fuzzLimits)
	if err != nil {
		if _, ok := AsError(err); !ok && !errors.Is(err, ErrIncomplete) {
			t.Fatalf("Decode(%x) error %T %v is neither *Error nor ErrIncomplete", b, err, err)
		}
		if n != 0 {
			t.Fatalf("Decode(%x) took %d bytes with an error", b, n)
		}
		return
	}
	if n < 2 || n > len(b) || n > fuzzLimits.MaxPacketSize {
		t.Fatalf("Decode(%x) took %d bytes", b, n)
	}
	if c, ok := p.(*Connect); ok {
		v = c.Version
	}
	out, err := Encode(nil, p, v)
	if err != nil {
		t.Fatalf("Decode(%x) gave %#v, which does not encode: %v", b, p, err)
	}
	again, m, err := Decode(out, v, fuzzLimits)
	require.NoError(t, err, "re-decoding %x (from %x)", out, b[:n])
	require.Equal(t, len(out), m)
	require.Equal(t, p, again, "round trip of %x", b[:n])
	if len(out) > n {
		t.Fatalf("re-encoding %x gave %d bytes, more than the %d decoded", b[:n], len(out), n)
	}
}

// seed adds every sample packet of the given types, both versions.
func seed(f *testing.F, types ...Type) {
	for _, v := range []Version{V311, V5} {
		for _, p := range samplePackets(v) {
			for _, t := range types {
				if p.Type() == t {
					b, err := Encode(nil, p, v)
					require.NoError(f, err)
					f.Add(byte(v), b)
				}
			}
		}
	}
}

func version(b byte) Version {
	if b&1 == 0 {
		return V311
	}
	return V5
}

func FuzzDecodeConnect(f *testing.F) {
	seed(f, CONNECT)
	f.Add(byte(0), pkt(0x10, cat(s("MQIsdp"), []byte{3, 2, 0, 60}, s("c"))...))
	f.Fuzz(func(t *testing.T, _ byte, b []byte) { checkDecode(t, b, 0) })
}

func FuzzDecodePublish(f *testing.F) {
	seed(f, PUBLISH)
	f.Fuzz(func(t *testing.T, v byte, b []byte) { checkDecode(t, b, version(v)) })
}

func FuzzDecodeSubscriptions(f *testing.F) {
	seed(f, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK)
	f.Fuzz(func(t *testing.T, v byte, b []byte) { checkDecode(t, b, version(v)) })
}

func FuzzDecodeAcksAndControl(f *testing.F) {
	seed(f, CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, PINGREQ, PINGRESP, DISCONNECT)
	f.Add(byte(V5), []byte{0xF0, 1, 0x18})
	f.Fuzz(func(t *testing.T, v byte, b []byte) { checkDecode(t, b, version(v)) })
}

// FuzzReadStream reads a whole stream with a Reader: every packet it
// returns must re-encode, and it must stop with io.EOF,
// io.ErrUnexpectedEOF or an *Error.
func FuzzReadStream(f *testing.F) {
	for _, v := range []Version{V311, V5} {
		var stream []byte
		for _, p := range samplePackets(v) {
			b, err := Encode(nil, p, v)
			require.NoError(f, err)
			stream = append(stream, b...)
		}
		f.Add(stream)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(bytes.NewReader(b), fuzzLimits)
		for i := 0; ; i++ {
			p, err := r.ReadPacket()
			if err != nil {
				_, isErr := AsError(err)
				if !isErr && err != io.EOF && err != io.ErrUnexpectedEOF {
					t.Fatalf("ReadPacket error %T %v", err, err)
				}
				return
			}
			if _, err := Encode(nil, p, r.Version()); err != nil {
				t.Fatalf("packet %d %#v does not encode: %v", i, p, err)
			}
		}
	})
}
