package mqtt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxStringBytes is the longest UTF-8 string or binary field the format can
// carry: its length prefix is two bytes (MQTT 5.0 §1.5.4, 3.1.1 §1.5.3).
const MaxStringBytes = 65535

// dec reads the fields of one packet's body. Its errors are *Error values
// naming the packet.
type dec struct {
	b   []byte
	off int
	t   Type
}

func (d *dec) left() int { return len(d.b) - d.off }

func (d *dec) short(field string, n int) *Error {
	return malformed(d.t, "%s needs %d bytes, %d are left", field, n, d.left())
}

func (d *dec) u8(field string) (byte, error) {
	if d.left() < 1 {
		return 0, d.short(field, 1)
	}
	v := d.b[d.off]
	d.off++
	return v, nil
}

func (d *dec) u16(field string) (uint16, error) {
	if d.left() < 2 {
		return 0, d.short(field, 2)
	}
	v := binary.BigEndian.Uint16(d.b[d.off:])
	d.off += 2
	return v, nil
}

func (d *dec) u32(field string) (uint32, error) {
	if d.left() < 4 {
		return 0, d.short(field, 4)
	}
	v := binary.BigEndian.Uint32(d.b[d.off:])
	d.off += 4
	return v, nil
}

// varint reads a Variable Byte Integer (MQTT 5.0 §1.5.5): at most four
// bytes, in the fewest bytes that encode it.
func (d *dec) varint(field string) (uint32, error) {
	v, n, err := parseVarint(d.b[d.off:], true)
	if err != nil {
		if err == ErrIncomplete {
			return 0, malformed(d.t, "%s: the packet ends inside a variable byte integer", field)
		}
		return 0, malformed(d.t, "%s: %v", field, err)
	}
	d.off += n
	return v, nil
}

// bin reads Binary Data: a two-byte length and that many bytes. The result
// aliases the packet's buffer.
func (d *dec) bin(field string) ([]byte, error) {
	n, err := d.u16(field + " length")
	if err != nil {
		return nil, err
	}
	if d.left() < int(n) {
		return nil, malformed(d.t, "%s declares %d bytes, %d are left", field, n, d.left())
	}
	v := d.b[d.off : d.off+int(n) : d.off+int(n)]
	d.off += int(n)
	return v, nil
}

// str reads a UTF-8 Encoded String and checks it (see checkUTF8).
func (d *dec) str(field string) (string, error) {
	v, err := d.bin(field)
	if err != nil {
		return "", err
	}
	if msg := checkUTF8(v); msg != "" {
		return "", malformed(d.t, "%s %s", field, msg)
	}
	return string(v), nil
}

// checkUTF8 applies the rules of a UTF-8 Encoded String (MQTT 5.0 §1.5.4,
// 3.1.1 §1.5.3): well-formed UTF-8 without surrogates (Go's utf8.Valid
// refuses their encodings) and without U+0000. Control characters and
// non-characters are a SHOULD NOT for senders; they are accepted. It returns
// "" for a valid string, else what is wrong.
func checkUTF8(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return fmt.Sprintf("contains U+0000 at byte %d", i)
	}
	if !utf8.Valid(b) {
		return "is not well-formed UTF-8"
	}
	return ""
}

// checkUTF8String is checkUTF8 for a string.
func checkUTF8String(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return fmt.Sprintf("contains U+0000 at byte %d", i)
	}
	if !utf8.ValidString(s) {
		return "is not well-formed UTF-8"
	}
	return ""
}

// parseVarint decodes a Variable Byte Integer from the front of b. With
// minimal, an encoding longer than needed is refused (MQTT 5.0 §1.5.5
// requires the fewest bytes; 3.1.1 does not say so).
func parseVarint(b []byte, minimal bool) (v uint32, n int, err error) {
	var mul uint32 = 1
	for i := 0; i < 4; i++ {
		if i >= len(b) {
			return 0, 0, ErrIncomplete
		}
		c := b[i]
		v += uint32(c&0x7F) * mul
		if c&0x80 == 0 {
			if minimal && i > 0 && c == 0 {
				return 0, 0, fmt.Errorf("variable byte integer of %d bytes is not in its shortest form", i+1)
			}
			return v, i + 1, nil
		}
		mul <<= 7
	}
	return 0, 0, fmt.Errorf("variable byte integer longer than 4 bytes")
}

// appendVarint appends v (at most MaxRemainingLength) as a Variable Byte
// Integer.
func appendVarint(b []byte, v uint32) []byte {
	for {
		c := byte(v & 0x7F)
		v >>= 7
		if v > 0 {
			c |= 0x80
		}
		b = append(b, c)
		if v == 0 {
			return b
		}
	}
}

// varintLen is the number of bytes appendVarint writes for v.
func varintLen(v uint32) int {
	switch {
	case v < 1<<7:
		return 1
	case v < 1<<14:
		return 2
	case v < 1<<21:
		return 3
	}
	return 4
}

// enc appends the fields of one packet. The first error sticks; later
// appends do nothing.
type enc struct {
	b   []byte
	t   Type
	err error
}

func (e *enc) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("mqtt: encoding %s: "+format, append([]any{e.t}, args...)...)
	}
}

func (e *enc) u8(v byte)    { e.b = append(e.b, v) }
func (e *enc) u16(v uint16) { e.b = binary.BigEndian.AppendUint16(e.b, v) }
func (e *enc) u32(v uint32) { e.b = binary.BigEndian.AppendUint32(e.b, v) }

func (e *enc) varint(field string, v uint32) {
	if v > MaxRemainingLength {
		e.fail("%s %d exceeds %d", field, v, MaxRemainingLength)
		return
	}
	e.b = appendVarint(e.b, v)
}

func (e *enc) bin(field string, v []byte) {
	if len(v) > MaxStringBytes {
		e.fail("%s is %d bytes, more than %d", field, len(v), MaxStringBytes)
		return
	}
	e.u16(uint16(len(v)))
	e.b = append(e.b, v...)
}

func (e *enc) str(field, v string) {
	if msg := checkUTF8String(v); msg != "" {
		e.fail("%s %s", field, msg)
		return
	}
	if len(v) > MaxStringBytes {
		e.fail("%s is %d bytes, more than %d", field, len(v), MaxStringBytes)
		return
	}
	e.u16(uint16(len(v)))
	e.b = append(e.b, v...)
}

// prefixed appends what fill appends, preceded by its length as a Variable
// Byte Integer: it reserves four bytes, then moves the content down.
func (e *enc) prefixed(field string, fill func()) {
	start := len(e.b)
	e.b = append(e.b, 0, 0, 0, 0)
	fill()
	if e.err != nil {
		return
	}
	n := len(e.b) - start - 4
	if n > MaxRemainingLength {
		e.fail("%s is %d bytes, more than %d", field, n, MaxRemainingLength)
		return
	}
	l := varintLen(uint32(n))
	appendVarint(e.b[start:start], uint32(n))
	copy(e.b[start+l:], e.b[start+4:])
	e.b = e.b[:start+l+n]
}
