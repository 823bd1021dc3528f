package main

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/webpubsub-go/webpubsub/emulator"
)

// upstreamList is the repeatable -upstream flag.
type upstreamList []string

// String implements flag.Value.
func (l *upstreamList) String() string { return strings.Join(*l, ",") }

// Set implements flag.Value.
func (l *upstreamList) Set(v string) error {
	u, err := url.Parse(strings.NewReplacer("{hub}", "hub", "{event}", "event").Replace(v))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http or https URL template", v)
	}
	*l = append(*l, v)
	return nil
}

// handlers turns every -upstream URL template into a handler that receives
// every event (connect, connected, disconnected and all user events) of every
// hub.
func (l upstreamList) handlers() []emulator.UpstreamHandler {
	var hs []emulator.UpstreamHandler
	for _, t := range l {
		hs = append(hs, emulator.UpstreamHandler{
			Hub:              "*",
			URLTemplate:      t,
			UserEventPattern: "*",
			SystemEvents:     []string{"connect", "connected", "disconnected"},
		})
	}
	return hs
}
