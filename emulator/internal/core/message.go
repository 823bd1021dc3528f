package core

import (
	"sync"
	"sync/atomic"
	"time"
)

// DataType says what a payload's bytes are. The values are the service's
// data type names.
type DataType string

// Data types.
const (
	DataText     DataType = "text"
	DataJSON     DataType = "json"
	DataBinary   DataType = "binary"
	DataProtobuf DataType = "protobuf"
)

// Payload is a message body and its data type.
type Payload struct {
	Type DataType
	// Data is the body: UTF-8 text, a JSON value, or raw bytes.
	Data []byte
}

// Origin says who sent a message.
type Origin uint8

// Origins of a message.
const (
	// FromServer: the REST API's send to a connection, a user or the hub,
	// or an upstream answer.
	FromServer Origin = iota
	// FromGroup: a message published to a group, by a client (FromUserID
	// is its user, if any) or by the REST API (no FromUserID): the service
	// delivers a REST send to a group as a group message.
	FromGroup
)

// Message is one data message, shared by all its recipients. It is never
// modified once sent.
type Message struct {
	Origin Origin
	// Group is the group a FromGroup message was published to, or the
	// group a FromServer message was sent to (the REST API's send to a
	// group: wires that name the group, as MQTT's topic, use it).
	Group string
	// FromUserID is the publishing client's user, if any.
	FromUserID string
	Data       Payload
	// Metadata are the message's string entries (a client's message
	// metadata, or a server message's X-WebPubSub-Metadata-* headers),
	// delivered with it to the wires that carry them; nil when none. The
	// core neither reads nor bounds them: whoever builds the message
	// validates them (protocol.ValidateMetadata bounds them to 8 KiB).
	Metadata map[string]string
	// Extra is wire data the core carries without reading it, such as a
	// group stream fragment's stream information. Encodings and observers
	// may read it.
	Extra any
	// Expires is when the message may no longer be resent; zero = never.
	Expires time.Time

	encoded [maxEncodings]lazyFrame
}

// Expired reports whether m may no longer be resent at now.
func (m *Message) Expired(now time.Time) bool {
	return !m.Expires.IsZero() && now.After(m.Expires)
}

// lazyFrame is one encoding of a message, made on first use.
type lazyFrame struct {
	once  sync.Once
	frame []byte
	err   error
}

// maxEncodings bounds the encodings a process defines (one per wire
// format), so that a message holds a fixed table of them.
const maxEncodings = 6

// encodings counts the encodings defined so far.
var encodings atomic.Int32

// Encoding is one wire format's encoding of messages, defined once per
// process with NewEncoding.
type Encoding struct {
	id     int
	name   string
	encode func(*Message) ([]byte, error)
}

// NewEncoding defines the wire format name, whose frames encode makes. Call
// it once per format, at package initialisation; it panics past the fixed
// number of formats a message has room for.
func NewEncoding(name string, encode func(*Message) ([]byte, error)) *Encoding {
	id := int(encodings.Add(1)) - 1
	if id >= maxEncodings {
		panic("core: too many encodings; raise maxEncodings")
	}
	return &Encoding{id: id, name: name, encode: encode}
}

// Name returns the format's name.
func (e *Encoding) Name() string { return e.name }

// Encode returns m's frame in format e, encoding it on first use: every
// recipient of that format shares the bytes, which callers must not modify.
func (m *Message) Encode(e *Encoding) ([]byte, error) {
	l := &m.encoded[e.id]
	l.once.Do(func() { l.frame, l.err = e.encode(m) })
	return l.frame, l.err
}
