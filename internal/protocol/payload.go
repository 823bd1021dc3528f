package protocol

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// DataType says how a payload is encoded in the "data" field.
type DataType string

// Data types.
const (
	DataTypeText     DataType = "text"
	DataTypeJSON     DataType = "json"
	DataTypeBinary   DataType = "binary"
	DataTypeProtobuf DataType = "protobuf"
)

// Content types of REST sends and upstream bodies, and the data types they map to.
const (
	ContentTypeText   = "text/plain"
	ContentTypeJSON   = "application/json"
	ContentTypeBinary = "application/octet-stream"
)

// Payload is a message body with its data type. Data holds the decoded bytes:
// the UTF-8 text for text, the raw JSON value for json, the raw bytes for binary
// and protobuf.
type Payload struct {
	// Type is the data type.
	Type DataType
	// Data is the decoded body.
	Data []byte
}

// ContentType returns the HTTP content type matching p's data type.
func (p Payload) ContentType() string {
	switch p.Type {
	case DataTypeText:
		return ContentTypeText
	case DataTypeJSON:
		return ContentTypeJSON
	default:
		return ContentTypeBinary
	}
}

// DataTypeForContentType maps an HTTP content type (parameters ignored) to a
// data type. It reports false for an unsupported content type.
func DataTypeForContentType(contentType string) (DataType, bool) {
	ct := contentType
	for i := 0; i < len(ct); i++ {
		if ct[i] == ';' {
			ct = ct[:i]
			break
		}
	}
	ct = string(bytes.ToLower(bytes.TrimSpace([]byte(ct))))
	switch ct {
	case ContentTypeText:
		return DataTypeText, true
	case ContentTypeJSON, "text/json":
		return DataTypeJSON, true
	case ContentTypeBinary:
		return DataTypeBinary, true
	}
	return "", false
}

// encodeData returns the JSON value of the "data" field for p.
func encodeData(p Payload) (json.RawMessage, error) {
	switch p.Type {
	case DataTypeText:
		return json.Marshal(string(p.Data))
	case DataTypeJSON:
		if !json.Valid(p.Data) {
			return nil, fmt.Errorf("protocol: json payload is not valid JSON")
		}
		return json.RawMessage(p.Data), nil
	case DataTypeBinary, DataTypeProtobuf:
		return json.Marshal(base64.StdEncoding.EncodeToString(p.Data))
	default:
		return nil, fmt.Errorf("protocol: unknown dataType %q", p.Type)
	}
}

// decodeData turns a "data" field of the given type into a Payload.
func decodeData(t DataType, raw json.RawMessage) (Payload, error) {
	switch t {
	case DataTypeText:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return Payload{}, fmt.Errorf("protocol: text data must be a JSON string")
		}
		return Payload{Type: t, Data: []byte(s)}, nil
	case DataTypeJSON:
		if len(raw) == 0 {
			return Payload{}, fmt.Errorf("protocol: json data is missing")
		}
		return Payload{Type: t, Data: append([]byte(nil), raw...)}, nil
	case DataTypeBinary, DataTypeProtobuf:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return Payload{}, fmt.Errorf("protocol: %s data must be a base64 string", t)
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return Payload{}, fmt.Errorf("protocol: %s data is not valid base64", t)
		}
		return Payload{Type: t, Data: b}, nil
	case "":
		return Payload{}, fmt.Errorf("protocol: dataType is missing")
	default:
		return Payload{}, fmt.Errorf("protocol: unknown dataType %q", t)
	}
}
