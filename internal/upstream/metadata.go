package upstream

// metadataHeaderOK reports whether a metadata entry can travel as the header
// x-webpubsub-metadata-<key>: value. The key must be an HTTP token and the
// value must hold no control characters but tab, so that a client cannot
// break or inject headers.
func metadataHeaderOK(key, value string) bool {
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		if !isTokenChar(key[i]) {
			return false
		}
	}
	return headerValueOK(value)
}

// headerValueOK reports whether v can be sent as a header value: no control
// characters but tab.
func headerValueOK(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// isTokenChar reports whether c may appear in an HTTP token (RFC 9110).
func isTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}
