package mqtt

// readProperties reads a property section (its length, then the
// properties) for scope: a packet type, or scopeWill.
func readProperties(d *dec, scope Type, l *Limits) (Properties, error) {
	var p Properties
	n, err := d.varint(scopeName(scope) + " properties length")
	if err != nil {
		return p, err
	}
	if int64(n) > int64(d.left()) {
		return p, malformed(d.t, "%s properties declare %d bytes, %d are left", scopeName(scope), n, d.left())
	}
	if int(n) > l.MaxPropertiesBytes {
		return p, overLimit(d.t, "%s properties are %d bytes, more than %d", scopeName(scope), n, l.MaxPropertiesBytes)
	}
	sub := &dec{b: d.b[d.off : d.off+int(n)], t: d.t}
	d.off += int(n)
	var seen [64]bool
	userBytes := 0
	for sub.left() > 0 {
		id, err := sub.varint("property identifier")
		if err != nil {
			return p, err
		}
		pid := PropertyID(id)
		if id >= 64 || allowedIn[pid]&(1<<scope) == 0 {
			return p, malformed(d.t, "property 0x%02X is not allowed in %s", id, scopeName(scope))
		}
		repeatable := pid == PropUserProperty || (pid == PropSubscriptionIdentifier && scope == PUBLISH)
		if seen[id] && !repeatable {
			return p, protocolErr(d.t, "property 0x%02X appears more than once", id)
		}
		seen[id] = true
		switch pid {
		case PropUserProperty:
			err = readUserProperty(sub, &p, l, &userBytes)
		case PropSubscriptionIdentifier:
			err = readSubscriptionID(sub, &p, l)
		default:
			err = codecByID[pid].read(sub, &p)
		}
		if err != nil {
			return p, err
		}
	}
	if p.AuthenticationData != nil && p.AuthenticationMethod == "" {
		return p, protocolErr(d.t, "authentication data without an authentication method")
	}
	return p, nil
}

func readUserProperty(d *dec, p *Properties, l *Limits, total *int) error {
	if len(p.User) >= l.MaxUserProperties {
		return overLimit(d.t, "more than %d user properties", l.MaxUserProperties)
	}
	name, err := d.str("user property name")
	if err != nil {
		return err
	}
	value, err := d.str("user property value")
	if err != nil {
		return err
	}
	*total += len(name) + len(value)
	if *total > l.MaxUserPropertyBytes {
		return overLimit(d.t, "user properties exceed %d bytes", l.MaxUserPropertyBytes)
	}
	p.User = append(p.User, UserProperty{Name: name, Value: value})
	return nil
}

func readSubscriptionID(d *dec, p *Properties, l *Limits) error {
	if len(p.SubscriptionIdentifiers) >= l.MaxSubscriptionIDs {
		return overLimit(d.t, "more than %d subscription identifiers", l.MaxSubscriptionIDs)
	}
	v, err := d.varint("subscription identifier")
	if err != nil {
		return err
	}
	if v == 0 {
		return protocolErr(d.t, "subscription identifier is 0")
	}
	p.SubscriptionIdentifiers = append(p.SubscriptionIdentifiers, v)
	return nil
}

// appendProperties writes p's property section for scope. A property the
// scope does not allow is an encoding error, not silently dropped.
func appendProperties(e *enc, p *Properties, scope Type) {
	e.prefixed("properties", func() {
		for i := range propCodecs {
			c := &propCodecs[i]
			switch c.id {
			case PropSubscriptionIdentifier:
				if scope != PUBLISH && len(p.SubscriptionIdentifiers) > 1 {
					e.fail("%d subscription identifiers: %s carries one", len(p.SubscriptionIdentifiers), scopeName(scope))
				}
				appendRepeated(e, c.id, scope, len(p.SubscriptionIdentifiers), func(i int) {
					if v := p.SubscriptionIdentifiers[i]; v == 0 {
						e.fail("subscription identifier 0")
					} else {
						e.varint("subscription identifier", v)
					}
				})
			case PropUserProperty:
				appendRepeated(e, c.id, scope, len(p.User), func(i int) {
					e.str("user property name", p.User[i].Name)
					e.str("user property value", p.User[i].Value)
				})
			default:
				if c.has(p) {
					appendRepeated(e, c.id, scope, 1, func(int) { c.write(e, p) })
				}
			}
		}
	})
}

// appendRepeated writes n copies of property id, each value by write(i).
func appendRepeated(e *enc, id PropertyID, scope Type, n int, write func(i int)) {
	if n == 0 {
		return
	}
	if allowedIn[id]&(1<<scope) == 0 {
		e.fail("property 0x%02X is not allowed in %s", byte(id), scopeName(scope))
		return
	}
	for i := 0; i < n; i++ {
		e.u8(byte(id))
		write(i)
	}
}
