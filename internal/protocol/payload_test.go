package protocol

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPayloadContentType(t *testing.T) {
	tests := map[DataType]string{
		DataTypeText:     "text/plain",
		DataTypeJSON:     "application/json",
		DataTypeBinary:   "application/octet-stream",
		DataTypeProtobuf: "application/octet-stream",
	}
	for dt, want := range tests {
		assert.Equal(t, want, Payload{Type: dt}.ContentType(), dt)
	}
}

func TestDataTypeForContentType(t *testing.T) {
	tests := []struct {
		ct   string
		want DataType
		ok   bool
	}{
		{"text/plain", DataTypeText, true},
		{"text/plain; charset=utf-8", DataTypeText, true},
		{"TEXT/Plain;charset=UTF-8", DataTypeText, true},
		{"  text/plain  ", DataTypeText, true},
		{"application/json", DataTypeJSON, true},
		{"application/json;charset=utf-8", DataTypeJSON, true},
		{"text/json", DataTypeJSON, true},
		{"application/octet-stream", DataTypeBinary, true},
		{"application/octet-stream; x=y", DataTypeBinary, true},
		{"", "", false},
		{"application/xml", "", false},
		{"text/html", "", false},
		{"application/x-protobuf", "", false},
		{"text/plainx", "", false},
		{";text/plain", "", false},
	}
	for _, tt := range tests {
		got, ok := DataTypeForContentType(tt.ct)
		assert.Equal(t, tt.ok, ok, tt.ct)
		assert.Equal(t, tt.want, got, tt.ct)
	}
}

func TestContentTypeRoundTrip(t *testing.T) {
	for _, dt := range []DataType{DataTypeText, DataTypeJSON, DataTypeBinary} {
		got, ok := DataTypeForContentType(Payload{Type: dt}.ContentType())
		assert.True(t, ok)
		assert.Equal(t, dt, got)
	}
}
