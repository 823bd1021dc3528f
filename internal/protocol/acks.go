package protocol

import "strconv"

// The service's words in acks, for the emulator to send as the service does
// (Microsoft's emulator, WebPubSubSubprotocolPayloadProcessor.cs). A client
// shows them to its user; they are part of what the service promises.

// InternalServerErrorMessage is the message of an InternalServerError ack,
// whatever failed (the cause goes to the log, never to the client).
const InternalServerErrorMessage = "Internal server error"

// DuplicateAckMessage returns the message of a Duplicate ack: the request
// with this ackId was already processed.
func DuplicateAckMessage(ackID uint64) string {
	return "Message with ack-id: " + strconv.FormatUint(ackID, 10) + " has been processed"
}

// ForbiddenJoinMessage returns the message of a Forbidden ack for a
// joinGroup.
func ForbiddenJoinMessage(group string) string {
	return "The client does not have permission to join group '" + group + "'."
}

// ForbiddenLeaveMessage returns the message of a Forbidden ack for a
// leaveGroup.
func ForbiddenLeaveMessage(group string) string {
	return "The client does not have permission to leave group '" + group + "'."
}

// ForbiddenSendMessage returns the message of a Forbidden ack for a
// sendToGroup.
func ForbiddenSendMessage(group string) string {
	return "The client does not have permission to send to group '" + group + "'."
}

// DuplicateAck returns the Duplicate ack for ackID.
func DuplicateAck(ackID uint64) AckMessage {
	return AckMessage{AckID: ackID, Error: &AckError{Name: ErrorDuplicate, Message: DuplicateAckMessage(ackID)}}
}

// ForbiddenAck returns the Forbidden ack of a request of type joinGroup,
// leaveGroup or sendToGroup on group.
func ForbiddenAck(ackID uint64, requestType, group string) AckMessage {
	msg := ForbiddenSendMessage(group)
	switch requestType {
	case TypeJoinGroup:
		msg = ForbiddenJoinMessage(group)
	case TypeLeaveGroup:
		msg = ForbiddenLeaveMessage(group)
	}
	return AckMessage{AckID: ackID, Error: &AckError{Name: ErrorForbidden, Message: msg}}
}

// InternalServerErrorAck returns the InternalServerError ack for ackID.
func InternalServerErrorAck(ackID uint64) AckMessage {
	return AckMessage{AckID: ackID, Error: &AckError{Name: ErrorInternalServerError, Message: InternalServerErrorMessage}}
}
