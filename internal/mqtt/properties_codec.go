package mqtt

import "strings"

// propCodec reads and writes one property.
type propCodec struct {
	id PropertyID
	// has reports whether p carries the property (for encoding).
	has func(p *Properties) bool
	// write appends the value (the identifier is written by the caller).
	write func(e *enc, p *Properties)
	// read decodes the value into p.
	read func(d *dec, p *Properties) error
}

// flag reads a byte property that must be 0 or 1.
func flag(d *dec, name string) (byte, error) {
	v, err := d.u8(name)
	if err == nil && v > 1 {
		return 0, protocolErr(d.t, "%s is %d, must be 0 or 1", name, v)
	}
	return v, err
}

// nonZero16 reads a two-byte property that must not be 0.
func nonZero16(d *dec, name string) (uint16, error) {
	v, err := d.u16(name)
	if err == nil && v == 0 {
		return 0, protocolErr(d.t, "%s is 0", name)
	}
	return v, err
}

func ptr[T any](v T) *T { return &v }

// propCodecs lists every property in identifier order, the order the
// encoder writes them in.
var propCodecs = []propCodec{
	{PropPayloadFormatIndicator, func(p *Properties) bool { return p.PayloadFormatIndicator != 0 },
		func(e *enc, p *Properties) { e.u8(p.PayloadFormatIndicator) },
		func(d *dec, p *Properties) (err error) {
			p.PayloadFormatIndicator, err = flag(d, "payload format indicator")
			return err
		}},
	{PropMessageExpiryInterval, func(p *Properties) bool { return p.MessageExpiryInterval != nil },
		func(e *enc, p *Properties) { e.u32(*p.MessageExpiryInterval) },
		func(d *dec, p *Properties) error {
			v, err := d.u32("message expiry interval")
			p.MessageExpiryInterval = ptr(v)
			return err
		}},
	{PropContentType, func(p *Properties) bool { return p.ContentType != "" },
		func(e *enc, p *Properties) { e.str("content type", p.ContentType) },
		func(d *dec, p *Properties) (err error) { p.ContentType, err = d.str("content type"); return err }},
	{PropResponseTopic, func(p *Properties) bool { return p.ResponseTopic != "" },
		func(e *enc, p *Properties) { e.str("response topic", p.ResponseTopic) },
		func(d *dec, p *Properties) (err error) {
			p.ResponseTopic, err = d.str("response topic")
			if err == nil && strings.ContainsAny(p.ResponseTopic, "+#") {
				return protocolErr(d.t, "the response topic contains a wildcard")
			}
			return err
		}},
	{PropCorrelationData, func(p *Properties) bool { return p.CorrelationData != nil },
		func(e *enc, p *Properties) { e.bin("correlation data", p.CorrelationData) },
		func(d *dec, p *Properties) (err error) {
			p.CorrelationData, err = d.bin("correlation data")
			return err
		}},
	{PropSubscriptionIdentifier, nil, nil, nil}, // repeated: see appendProperties and readSubscriptionID
	{PropSessionExpiryInterval, func(p *Properties) bool { return p.SessionExpiryInterval != 0 },
		func(e *enc, p *Properties) { e.u32(p.SessionExpiryInterval) },
		func(d *dec, p *Properties) (err error) {
			p.SessionExpiryInterval, err = d.u32("session expiry interval")
			return err
		}},
	{PropAssignedClientIdentifier, func(p *Properties) bool { return p.AssignedClientIdentifier != "" },
		func(e *enc, p *Properties) { e.str("assigned client identifier", p.AssignedClientIdentifier) },
		func(d *dec, p *Properties) (err error) {
			p.AssignedClientIdentifier, err = d.str("assigned client identifier")
			return err
		}},
	{PropServerKeepAlive, func(p *Properties) bool { return p.ServerKeepAlive != nil },
		func(e *enc, p *Properties) { e.u16(*p.ServerKeepAlive) },
		func(d *dec, p *Properties) error {
			v, err := d.u16("server keep alive")
			p.ServerKeepAlive = ptr(v)
			return err
		}},
	{PropAuthenticationMethod, func(p *Properties) bool { return p.AuthenticationMethod != "" },
		func(e *enc, p *Properties) { e.str("authentication method", p.AuthenticationMethod) },
		func(d *dec, p *Properties) (err error) {
			p.AuthenticationMethod, err = d.str("authentication method")
			return err
		}},
	{PropAuthenticationData, func(p *Properties) bool { return p.AuthenticationData != nil },
		func(e *enc, p *Properties) { e.bin("authentication data", p.AuthenticationData) },
		func(d *dec, p *Properties) (err error) {
			p.AuthenticationData, err = d.bin("authentication data")
			return err
		}},
	{PropRequestProblemInformation, func(p *Properties) bool { return p.RequestProblemInformation != nil },
		func(e *enc, p *Properties) { e.u8(*p.RequestProblemInformation) },
		func(d *dec, p *Properties) error {
			v, err := flag(d, "request problem information")
			p.RequestProblemInformation = ptr(v)
			return err
		}},
	{PropWillDelayInterval, func(p *Properties) bool { return p.WillDelayInterval != 0 },
		func(e *enc, p *Properties) { e.u32(p.WillDelayInterval) },
		func(d *dec, p *Properties) (err error) {
			p.WillDelayInterval, err = d.u32("will delay interval")
			return err
		}},
	{PropRequestResponseInformation, func(p *Properties) bool { return p.RequestResponseInformation != 0 },
		func(e *enc, p *Properties) { e.u8(p.RequestResponseInformation) },
		func(d *dec, p *Properties) (err error) {
			p.RequestResponseInformation, err = flag(d, "request response information")
			return err
		}},
	{PropResponseInformation, func(p *Properties) bool { return p.ResponseInformation != "" },
		func(e *enc, p *Properties) { e.str("response information", p.ResponseInformation) },
		func(d *dec, p *Properties) (err error) {
			p.ResponseInformation, err = d.str("response information")
			return err
		}},
	{PropServerReference, func(p *Properties) bool { return p.ServerReference != "" },
		func(e *enc, p *Properties) { e.str("server reference", p.ServerReference) },
		func(d *dec, p *Properties) (err error) {
			p.ServerReference, err = d.str("server reference")
			return err
		}},
	{PropReasonString, func(p *Properties) bool { return p.ReasonString != "" },
		func(e *enc, p *Properties) { e.str("reason string", p.ReasonString) },
		func(d *dec, p *Properties) (err error) { p.ReasonString, err = d.str("reason string"); return err }},
	{PropReceiveMaximum, func(p *Properties) bool { return p.ReceiveMaximum != 0 },
		func(e *enc, p *Properties) { e.u16(p.ReceiveMaximum) },
		func(d *dec, p *Properties) (err error) {
			p.ReceiveMaximum, err = nonZero16(d, "receive maximum")
			return err
		}},
	{PropTopicAliasMaximum, func(p *Properties) bool { return p.TopicAliasMaximum != 0 },
		func(e *enc, p *Properties) { e.u16(p.TopicAliasMaximum) },
		func(d *dec, p *Properties) (err error) {
			p.TopicAliasMaximum, err = d.u16("topic alias maximum")
			return err
		}},
	{PropTopicAlias, func(p *Properties) bool { return p.TopicAlias != 0 },
		func(e *enc, p *Properties) { e.u16(p.TopicAlias) },
		func(d *dec, p *Properties) (err error) { p.TopicAlias, err = nonZero16(d, "topic alias"); return err }},
	{PropMaximumQoS, func(p *Properties) bool { return p.MaximumQoS != nil },
		func(e *enc, p *Properties) { e.u8(*p.MaximumQoS) },
		func(d *dec, p *Properties) error { v, err := flag(d, "maximum QoS"); p.MaximumQoS = ptr(v); return err }},
	{PropRetainAvailable, func(p *Properties) bool { return p.RetainAvailable != nil },
		func(e *enc, p *Properties) { e.u8(*p.RetainAvailable) },
		func(d *dec, p *Properties) error {
			v, err := flag(d, "retain available")
			p.RetainAvailable = ptr(v)
			return err
		}},
	{PropUserProperty, nil, nil, nil}, // repeated: see appendProperties and readUserProperty
	{PropMaximumPacketSize, func(p *Properties) bool { return p.MaximumPacketSize != 0 },
		func(e *enc, p *Properties) { e.u32(p.MaximumPacketSize) },
		func(d *dec, p *Properties) error {
			v, err := d.u32("maximum packet size")
			if err == nil && v == 0 {
				return protocolErr(d.t, "maximum packet size is 0")
			}
			p.MaximumPacketSize = v
			return err
		}},
	{PropWildcardSubscriptionAvailable, func(p *Properties) bool { return p.WildcardSubscriptionAvailable != nil },
		func(e *enc, p *Properties) { e.u8(*p.WildcardSubscriptionAvailable) },
		func(d *dec, p *Properties) error {
			v, err := flag(d, "wildcard subscription available")
			p.WildcardSubscriptionAvailable = ptr(v)
			return err
		}},
	{PropSubscriptionIdentifierAvailable, func(p *Properties) bool { return p.SubscriptionIdentifierAvailable != nil },
		func(e *enc, p *Properties) { e.u8(*p.SubscriptionIdentifierAvailable) },
		func(d *dec, p *Properties) error {
			v, err := flag(d, "subscription identifier available")
			p.SubscriptionIdentifierAvailable = ptr(v)
			return err
		}},
	{PropSharedSubscriptionAvailable, func(p *Properties) bool { return p.SharedSubscriptionAvailable != nil },
		func(e *enc, p *Properties) { e.u8(*p.SharedSubscriptionAvailable) },
		func(d *dec, p *Properties) error {
			v, err := flag(d, "shared subscription available")
			p.SharedSubscriptionAvailable = ptr(v)
			return err
		}},
}

// codecByID indexes propCodecs.
var codecByID = func() map[PropertyID]*propCodec {
	m := make(map[PropertyID]*propCodec, len(propCodecs))
	for i := range propCodecs {
		m[propCodecs[i].id] = &propCodecs[i]
	}
	return m
}()
