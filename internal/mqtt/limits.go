package mqtt

// Default limits of the codec. Each bounds memory a peer can make the
// decoder allocate; a packet over a limit is refused with the Error code
// named. The sources of the numbers are in the comments.
const (
	// DefaultMaxPacketSize bounds a whole packet (fixed header included),
	// the MQTT 5.0 "Maximum Packet Size" a broker advertises in its CONNACK.
	// Web PubSub limits a client message to 1 MB (concept-service-internals)
	// and the emulator's client endpoint reads WebSocket messages of at most
	// 1 MiB, so an MQTT packet is bounded the same. Over it: PacketTooLarge.
	DefaultMaxPacketSize = 1 << 20
	// MaxRemainingLength is the largest remaining length four bytes encode
	// (MQTT 5.0 §1.5.5, 3.1.1 §2.2.3): 268,435,455.
	MaxRemainingLength = 268435455
	// DefaultMaxPropertiesBytes bounds one packet's v5 property section:
	// room for a full correlation data (65,535 bytes), a content type, a
	// response topic and DefaultMaxUserPropertyBytes. Over it: QuotaExceeded.
	DefaultMaxPropertiesBytes = 128 << 10
	// DefaultMaxUserProperties bounds the user properties of one packet (or
	// of a will). The service documents no number; each property costs the
	// decoder a slice entry, so the count is bounded apart from the bytes.
	// Over it: QuotaExceeded.
	DefaultMaxUserProperties = 64
	// DefaultMaxUserPropertyBytes bounds the names and values of one
	// packet's user properties together. They become HTTP headers
	// "mqtt-{name}" of upstream events (reference-mqtt-cloud-events), and
	// 16 KiB keeps them well under common header limits. Over it:
	// QuotaExceeded.
	DefaultMaxUserPropertyBytes = 16 << 10
	// DefaultMaxTopicFilters bounds the topic filters of one SUBSCRIBE or
	// UNSUBSCRIBE. Over it: QuotaExceeded.
	DefaultMaxTopicFilters = 1024
	// DefaultMaxSubscriptionIDs bounds the subscription identifiers of one
	// PUBLISH (a broker sends one per matching subscription; without
	// wildcards a topic matches one). Over it: QuotaExceeded.
	DefaultMaxSubscriptionIDs = 32
)

// Limits bound what the decoder accepts. The zero value of a field means
// its default; a Limits must not be changed while a decoder uses it.
type Limits struct {
	// MaxPacketSize: DefaultMaxPacketSize when 0; at most MaxRemainingLength+5.
	MaxPacketSize int
	// MaxPropertiesBytes: DefaultMaxPropertiesBytes when 0.
	MaxPropertiesBytes int
	// MaxUserProperties: DefaultMaxUserProperties when 0.
	MaxUserProperties int
	// MaxUserPropertyBytes: DefaultMaxUserPropertyBytes when 0.
	MaxUserPropertyBytes int
	// MaxTopicFilters: DefaultMaxTopicFilters when 0.
	MaxTopicFilters int
	// MaxSubscriptionIDs: DefaultMaxSubscriptionIDs when 0.
	MaxSubscriptionIDs int
}

// withDefaults returns l with zero fields set to their defaults; nil is all
// defaults.
func (l *Limits) withDefaults() Limits {
	var out Limits
	if l != nil {
		out = *l
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&out.MaxPacketSize, DefaultMaxPacketSize)
	if out.MaxPacketSize > MaxRemainingLength+5 {
		out.MaxPacketSize = MaxRemainingLength + 5
	}
	def(&out.MaxPropertiesBytes, DefaultMaxPropertiesBytes)
	def(&out.MaxUserProperties, DefaultMaxUserProperties)
	def(&out.MaxUserPropertyBytes, DefaultMaxUserPropertyBytes)
	def(&out.MaxTopicFilters, DefaultMaxTopicFilters)
	def(&out.MaxSubscriptionIDs, DefaultMaxSubscriptionIDs)
	return out
}
