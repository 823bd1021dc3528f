package webpubsub

import (
	"errors"
	"fmt"

	"github.com/webpubsub-go/webpubsub/internal/names"
)

// maxMessageTTLSeconds is the longest message time-to-live the service accepts.
const maxMessageTTLSeconds = 300

func validateTTL(ttl int) error {
	if ttl < 0 || ttl > maxMessageTTLSeconds {
		return fmt.Errorf("webpubsub: MessageTTLSeconds %d is out of range: must be 0 to %d", ttl, maxMessageTTLSeconds)
	}
	return nil
}

func validateGroup(group string) error {
	if err := names.ValidateGroup(group); err != nil {
		return fmt.Errorf("webpubsub: %w", err)
	}
	return nil
}

func validateConnectionID(id string) error {
	if id == "" {
		return errors.New("webpubsub: connection id must not be empty")
	}
	return nil
}

func validateUserID(id string) error {
	if id == "" {
		return errors.New("webpubsub: user id must not be empty")
	}
	return nil
}

func validateExcluded(excluded []string) error {
	for i, id := range excluded {
		if id == "" {
			return fmt.Errorf("webpubsub: excluded connection id %d is empty", i)
		}
	}
	return nil
}
