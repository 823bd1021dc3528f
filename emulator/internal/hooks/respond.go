package hooks

import (
	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wire"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// Respond delivers an upstream's answer to a user event of c back to c as
// a message from the server; a nil answer sends nothing.
func (u *Caller) Respond(c *core.Conn, answer *protocol.Payload) {
	if answer == nil {
		return
	}
	msg := &core.Message{Origin: core.FromServer, Data: wire.CorePayload(*answer)}
	if err := wire.Check(msg); err != nil {
		u.log.Debug("emulator: invalid upstream response", "connectionId", c.ID(), "err", err)
		return
	}
	c.Hub().Send(&core.Send{Message: msg, Source: "upstream", Target: "connection " + c.ID(), To: []*core.Conn{c}})
}
