package mqtt

import (
	"bufio"
	"errors"
	"io"
)

// ReaderBufferSize is the read buffer a Reader keeps (bytes), besides the
// packet being read.
const ReaderBufferSize = 4 << 10

// eagerBody is the largest body a Reader allocates before its bytes
// arrive; a longer one grows as they do, so that a peer declaring a large
// packet and sending it slowly holds no more memory than it sent (twice
// that at most).
const eagerBody = 64 << 10

// Reader reads packets from a byte stream: a TCP connection, or the binary
// messages of a WebSocket joined end to end (MQTT over WebSocket may split
// or join packets across messages, MQTT 5.0 §6). Use one Reader per
// connection from one goroutine.
type Reader struct {
	br  *bufio.Reader
	lim Limits
	v   Version
}

// NewReader returns a Reader for r with the limits lim (nil: defaults). Its
// version is unknown until a CONNECT is read or SetVersion is called.
func NewReader(r io.Reader, lim *Limits) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, ReaderBufferSize), lim: lim.withDefaults()}
}

// SetVersion sets the protocol version of the packets that follow (a client
// sets it from its own CONNECT).
func (r *Reader) SetVersion(v Version) { r.v = v }

// Version returns the connection's version, 0 while unknown.
func (r *Reader) Version() Version { return r.v }

// ReadPacket reads the next packet. It returns io.EOF when the stream ends
// between packets, io.ErrUnexpectedEOF inside one, and an *Error for a
// packet it refuses (see Decode); after an error the stream is not in step
// and the connection must be closed. The first CONNECT that decodes sets
// the Reader's version. Packets own their memory: nothing is reused.
func (r *Reader) ReadPacket() (Packet, error) {
	h, err := r.readHeader()
	if err != nil {
		return nil, err
	}
	body, err := r.readBody(h.RemainingLength)
	if err != nil {
		return nil, err
	}
	p, err := decodeBody(h, body, r.v, &r.lim)
	if c, ok := p.(*Connect); ok && err == nil && r.v == 0 {
		r.v = c.Version
	}
	return p, err
}

// readHeader reads the fixed header a byte at a time (at most five).
func (r *Reader) readHeader() (FixedHeader, error) {
	var buf [5]byte
	for n := 0; n < len(buf); n++ {
		c, err := r.br.ReadByte()
		if err != nil {
			if n > 0 && errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return FixedHeader{}, err
		}
		buf[n] = c
		h, _, err := parseHeader(buf[:n+1], r.v, r.lim.MaxPacketSize)
		if err != ErrIncomplete {
			return h, err
		}
	}
	return FixedHeader{}, malformed(0, "remaining length longer than 4 bytes") // not reached: parseHeader says so at 5 bytes
}

// readBody reads n bytes, growing the buffer as they arrive beyond
// eagerBody.
func (r *Reader) readBody(n int) ([]byte, error) {
	if n <= eagerBody {
		b := make([]byte, n)
		_, err := io.ReadFull(r.br, b)
		return b, eofInside(err)
	}
	b := make([]byte, 0, eagerBody)
	for len(b) < n {
		if len(b) == cap(b) {
			b = append(b, make([]byte, min(cap(b), n-len(b)))...)[:len(b)]
		}
		m, err := r.br.Read(b[len(b):min(cap(b), n)])
		b = b[:len(b)+m]
		if err != nil && len(b) < n {
			return nil, eofInside(err)
		}
	}
	return b, nil
}

func eofInside(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
