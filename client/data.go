package client

import (
	"bytes"
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
// Protobuf. A constructor that cannot encode its argument keeps the error in
// the Data: Err returns it at once, and the operation that sends the Data
// returns it before anything is sent (webpubsub.Message does the same).
type Data struct {
	payload protocol.Payload
	err     error
}

// Text returns UTF-8 text data.
func Text(s string) Data {
	return Data{payload: protocol.Payload{Type: protocol.DataTypeText, Data: []byte(s)}}
}

// JSON returns the JSON encoding of v as data: encoding/json's, except that
// <, > and & are not escaped (as with webpubsub.JSONMessage and the JS
// SDK's JSON.stringify). An encoding error is kept (see Data).
func JSON(v any) Data {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return Data{err: fmt.Errorf("client: encoding JSON data: %w", err)}
	}
	// Encode ends the value with a newline, which Marshal does not.
	return Data{payload: protocol.Payload{Type: protocol.DataTypeJSON, Data: bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})}}
}

// RawJSON returns already encoded JSON as data. b is not copied; invalid
// JSON is an error kept in the Data (see Data).
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

// Bytes returns the data: UTF-8 text, JSON text or raw bytes (nil when Err
// is not nil).
func (d Data) Bytes() []byte { return d.payload.Data }

// Err returns the error kept from building the data (e.g. a JSON encoding
// error), or nil.
func (d Data) Err() error { return d.err }

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
