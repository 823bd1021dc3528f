package main

import (
	"flag"
	"fmt"
	"net/url"
	"strings"

	"github.com/webpubsub-go/webpubsub/emulator"
)

func init() {
	emulatorFlagExtensions = append(emulatorFlagExtensions, upstreamFlags)
}

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

// upstreamFlags registers -upstream on the emulator subcommand: each value is
// an event handler URL template ({hub} and {event} are replaced) that
// receives every event (connect, connected, disconnected and all user events)
// of every hub.
func upstreamFlags(fs *flag.FlagSet) func(*emulator.Options) error {
	var list upstreamList
	fs.Var(&list, "upstream", "event handler URL `template` receiving every event of every hub, e.g. 'http://127.0.0.1:8081/api/webpubsub/hubs/{hub}' (repeatable)")
	return func(o *emulator.Options) error {
		for _, t := range list {
			o.Upstream = append(o.Upstream, emulator.UpstreamHandler{
				Hub:              "*",
				URLTemplate:      t,
				UserEventPattern: "*",
				SystemEvents:     []string{"connect", "connected", "disconnected"},
			})
		}
		return nil
	}
}
