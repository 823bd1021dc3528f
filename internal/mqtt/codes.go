package mqtt

// v3ConnackCodes maps the 5.0 CONNACK reason codes that have a 3.1.1
// equivalent to it (3.1.1 §3.2.2.3 has six codes; the mapping follows the
// names, as @azure/web-pubsub-express's fail() does: 400 -> 4 / 0x86,
// 401 -> 5 / 0x87, 500 -> 3 / 0x80).
var v3ConnackCodes = map[ReasonCode]ReturnCode{
	Success:                     ReturnAccepted,
	UnsupportedProtocolVersion:  ReturnUnacceptableProtocolVersion,
	ClientIdentifierNotValid:    ReturnIdentifierRejected,
	UnspecifiedError:            ReturnServerUnavailable,
	ImplementationSpecificError: ReturnServerUnavailable,
	ServerUnavailable:           ReturnServerUnavailable,
	ServerBusy:                  ReturnServerUnavailable,
	QuotaExceeded:               ReturnServerUnavailable,
	ConnectionRateExceeded:      ReturnServerUnavailable,
	UseAnotherServer:            ReturnServerUnavailable,
	ServerMoved:                 ReturnServerUnavailable,
	BadUserNameOrPassword:       ReturnBadUsernameOrPassword,
	BadAuthenticationMethod:     ReturnBadUsernameOrPassword,
	NotAuthorized:               ReturnNotAuthorized,
	Banned:                      ReturnNotAuthorized,
}

// ConnackCode returns the byte a CONNACK of version v carries for the 5.0
// reason code c. On 3.1.1 it is the return code of the same meaning; ok is
// false when there is none (malformed packet, protocol error, topic name
// invalid, packet too large, payload format invalid, retain or QoS not
// supported): the broker closes the connection without a CONNACK, as 3.1.1
// §4.8 prescribes for a violation.
func ConnackCode(v Version, c ReasonCode) (code ReasonCode, ok bool) {
	if v == V5 {
		return c, connackCodes.has(c)
	}
	rc, ok := v3ConnackCodes[c]
	return ReasonCode(rc), ok
}

// SubackCode returns the byte a SUBACK of version v carries for the 5.0
// code c: 3.1.1 has one failure code, 0x80, for every refusal.
func SubackCode(v Version, c ReasonCode) ReasonCode {
	if v == V311 && c.IsError() {
		return SubackFailure
	}
	return c
}

// RefuseVersion returns the CONNACK answering a CONNECT of an unsupported
// protocol level (the *Connect Decode returns with UnsupportedProtocolVersion),
// and the version to encode it for: levels below 5 get the 3.1.1 form with
// return code 1 (3.1.1 §3.1.2.2), other levels the 5.0 form with 0x84
// (5.0 §3.1.2.2). Mosquitto does the same.
func RefuseVersion(level Version) (*Connack, Version) {
	if level < V5 {
		return &Connack{ReasonCode: ReasonCode(ReturnUnacceptableProtocolVersion)}, V311
	}
	return &Connack{ReasonCode: UnsupportedProtocolVersion}, V5
}

// UpstreamConnectCode returns the CONNACK code for an upstream connect
// event the handler failed with the HTTP status status (reference-mqtt-
// cloud-events, "connect" failure): the body's mqtt.code when present
// (hasCode) and valid for v, else the code the status stands for in
// @azure/web-pubsub-express's fail(): 400 -> bad user name or password,
// 401 -> not authorized, 403 -> banned (failWith's inverse), 429 -> quota
// exceeded, anything else -> unspecified error. A code invalid for v is
// "unspecified error" (the reference): 0x80 on 5.0, and 3 (server
// unavailable) on 3.1.1, which has no such code; express's fail(500) sends
// 3 there too.
func UpstreamConnectCode(v Version, status int, code int, hasCode bool) ReasonCode {
	if hasCode {
		inByte := code > 0 && code <= 0xFF
		c := ReasonCode(code)
		if inByte && v == V5 && connackCodes.has(c) {
			return c
		}
		if inByte && v == V311 && ReturnCode(c).Valid() {
			return c
		}
		if v == V311 {
			return ReasonCode(ReturnServerUnavailable)
		}
		return UnspecifiedError
	}
	var c ReasonCode
	switch status {
	case 400:
		c = BadUserNameOrPassword
	case 401:
		c = NotAuthorized
	case 403:
		c = Banned
	case 429:
		c = QuotaExceeded
	default:
		c = UnspecifiedError
	}
	mapped, _ := ConnackCode(v, c)
	return mapped
}

// StatusForConnectCode is @azure/web-pubsub-express's failWith mapping of a
// CONNACK code to the HTTP status of the connect answer (reference §6), for
// an event handler answering an MQTT connect.
func StatusForConnectCode(code ReasonCode) int {
	if code < 0x80 {
		switch ReturnCode(code) {
		case ReturnUnacceptableProtocolVersion, ReturnIdentifierRejected:
			return 400
		case ReturnServerUnavailable:
			return 503
		case ReturnBadUsernameOrPassword, ReturnNotAuthorized:
			return 401
		}
		return 500
	}
	switch code {
	case BadUserNameOrPassword, NotAuthorized:
		return 401
	case Banned:
		return 403
	case QuotaExceeded, ConnectionRateExceeded:
		return 429
	case ClientIdentifierNotValid, MalformedPacket, UnsupportedProtocolVersion, BadAuthenticationMethod,
		TopicNameInvalid, PayloadFormatInvalid, ImplementationSpecificError, PacketTooLarge,
		RetainNotSupported, QoSNotSupported:
		return 400
	}
	return 500
}

// CloseReason is why the broker ends a connection, in terms of the service
// rather than of MQTT; DisconnectCode maps it to the 5.0 DISCONNECT code.
type CloseReason int

// Close reasons.
const (
	// CloseServerShutdown: the emulator is stopping.
	CloseServerShutdown CloseReason = iota
	// CloseAdministrative: a REST call closed the connection (Close All /
	// Group / User Connections).
	CloseAdministrative
	// CloseSessionTakenOver: a new connection with the same client id.
	CloseSessionTakenOver
	// CloseKeepAliveTimeout: nothing read for 1.5 times the keep alive.
	CloseKeepAliveTimeout
	// CloseNotAuthorized: an unauthorized QoS 0 publish, or roles revoked.
	CloseNotAuthorized
	// CloseQuotaExceeded: a limit of the service or of the codec.
	CloseQuotaExceeded
	// CloseRateTooHigh: an injected fault or a throttle.
	CloseRateTooHigh
	// CloseInternalError: anything else on the server's side.
	CloseInternalError
)

// DisconnectCode returns the 5.0 DISCONNECT reason code for r. The codes
// the service sends are not documented (reference §7-§8); these are the
// specification's codes of the same meaning, 0x98 for a REST close as the
// reference suggests.
func DisconnectCode(r CloseReason) ReasonCode {
	switch r {
	case CloseServerShutdown:
		return ServerShuttingDown
	case CloseAdministrative:
		return AdministrativeAction
	case CloseSessionTakenOver:
		return SessionTakenOver
	case CloseKeepAliveTimeout:
		return KeepAliveTimeout
	case CloseNotAuthorized:
		return NotAuthorized
	case CloseQuotaExceeded:
		return QuotaExceeded
	case CloseRateTooHigh:
		return MessageRateTooHigh
	}
	return UnspecifiedError
}
