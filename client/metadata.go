package client

import (
	"fmt"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// checkMetadata refuses metadata the service would refuse, before anything
// is sent (see SendEventOptions.Metadata).
func checkMetadata(md map[string]string) error {
	if err := protocol.ValidateMetadata(md); err != nil {
		return fmt.Errorf("client: invalid metadata: %w", err)
	}
	return nil
}
