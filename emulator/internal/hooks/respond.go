package hooks

import (
	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wire"
)

// Respond delivers an upstream's answer to a user event of c back to c as
// a message from the server, with the answer's metadata (its
// X-WebPubSub-Metadata-* headers); an answer without a payload sends
// nothing. Call it before acknowledging the event, as the service does.
func (u *Caller) Respond(c *core.Conn, answer *Reply) {
	if answer == nil || answer.Payload == nil {
		return
	}
	msg := &core.Message{Origin: core.FromServer, Data: wire.CorePayload(*answer.Payload), Metadata: answer.Metadata}
	if err := wire.Check(msg); err != nil {
		u.log.Debug("emulator: invalid upstream response", "connectionId", c.ID(), "err", err)
		return
	}
	c.Hub().Send(&core.Send{Message: msg, Source: "upstream", Target: "connection " + c.ID(), To: []*core.Conn{c}})
}
