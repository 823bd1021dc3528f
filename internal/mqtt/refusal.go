package mqtt

import "fmt"

// Refusal is a protocol rule's "no": the MQTT 5.0 reason code the broker
// answers with, and what was wrong, for the log (the emulator's hint; it
// is not sent to the client, whose observable texts stay the service's).
type Refusal struct {
	// Code is the 5.0 reason code; see ConnackCode, SubackCode for 3.1.1.
	Code ReasonCode
	// Msg says what was wrong.
	Msg string
}

func refuse(c ReasonCode, format string, args ...any) *Refusal {
	return &Refusal{Code: c, Msg: fmt.Sprintf(format, args...)}
}

// Error returns the message with the code.
func (r *Refusal) Error() string { return fmt.Sprintf("mqtt: %s (reason %s)", r.Msg, r.Code) }

// Connack returns the CONNACK refusing a CONNECT of version v, or nil when
// 3.1.1 has no return code for r.Code: the broker then closes the network
// connection without a CONNACK (3.1.1 §4.8).
func (r *Refusal) Connack(v Version) *Connack {
	code, ok := ConnackCode(v, r.Code)
	if !ok {
		return nil
	}
	return &Connack{ReasonCode: code}
}
