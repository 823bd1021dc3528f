package client

import (
	"encoding/json"
	"fmt"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// DataType says how a message's data is encoded. Its values are those of
// eventhandler.DataType (same names, same strings): convert one to the other
// with client.DataType(t) or eventhandler.DataType(t).
type DataType string

// Data types.
const (
	// DataTypeText is UTF-8 text.
	DataTypeText DataType = DataType(protocol.DataTypeText)
	// DataTypeJSON is a JSON value.
	DataTypeJSON DataType = DataType(protocol.DataTypeJSON)
	// DataTypeBinary is raw bytes (base64 in JSON frames).
	DataTypeBinary DataType = DataType(protocol.DataTypeBinary)
	// DataTypeProtobuf is a serialized google.protobuf.Any (see Protobuf).
	DataTypeProtobuf DataType = DataType(protocol.DataTypeProtobuf)
)

// PossibleDataTypeValues returns every DataType value.
func PossibleDataTypeValues() []DataType {
	return []DataType{DataTypeText, DataTypeJSON, DataTypeBinary, DataTypeProtobuf}
}

// Data is a message body to send: build it with Text, JSON, RawJSON, Binary or
// Protobuf.
type Data struct {
	payload protocol.Payload
	err     error
}

// Text returns UTF-8 text data.
func Text(s string) Data {
	return Data{payload: protocol.Payload{Type: protocol.DataTypeText, Data: []byte(s)}}
}

// JSON returns the JSON encoding of v as data. An encoding error is returned
// by the operation that sends it.
func JSON(v any) Data {
	b, err := json.Marshal(v)
	if err != nil {
		return Data{err: fmt.Errorf("client: encoding JSON data: %w", err)}
	}
	return Data{payload: protocol.Payload{Type: protocol.DataTypeJSON, Data: b}}
}

// RawJSON returns already encoded JSON as data. Invalid JSON is reported by
// the operation that sends it.
func RawJSON(b []byte) Data {
	if !json.Valid(b) {
		return Data{err: fmt.Errorf("client: RawJSON data is not valid JSON")}
	}
	return Data{payload: protocol.Payload{Type: protocol.DataTypeJSON, Data: b}}
}

// Binary returns binary data (sent base64 encoded).
func Binary(b []byte) Data {
	return Data{payload: protocol.Payload{Type: protocol.DataTypeBinary, Data: b}}
}

// Type returns the data type, or "" for a zero Data.
func (d Data) Type() DataType { return DataType(d.payload.Type) }

// Bytes returns the data: UTF-8 text, JSON text or raw bytes.
func (d Data) Bytes() []byte { return d.payload.Data }

// check returns why d cannot be sent, or nil.
func (d Data) check() error {
	if d.err != nil {
		return d.err
	}
	if d.payload.Type == "" {
		return fmt.Errorf("client: data has no type; build it with Text, JSON, RawJSON, Binary or Protobuf")
	}
	return nil
}
