package client

import (
	"fmt"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// checkMetadata refuses event metadata on a subprotocol that cannot carry
// it: the JSON messages have no metadata field, so the entries would be lost
// without a word.
func (c *Client) checkMetadata(md map[string]string) error {
	if len(md) == 0 || protocol.IsProtobuf(c.cfg.Protocol) {
		return nil
	}
	return fmt.Errorf("client: metadata needs a protobuf subprotocol (ProtocolProtobufReliable or ProtocolProtobuf); %s has no metadata field", c.cfg.Protocol)
}
