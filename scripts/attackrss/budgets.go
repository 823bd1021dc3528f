package main

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// echoClients: 50 reliable clients each send 30 messages of 512 KiB
// (15 MiB, under the 16 MiB a connection may leave unacknowledged) to a
// group only they are in, without reading; then they read and acknowledge
// exactly what they got for 2 s.
func echoClients(e *emulatorProc) (string, error) {
	const clients, messages, size = 50, 30, 512 << 10
	var closed atomic.Int32
	var wg sync.WaitGroup
	conns := make([]*client, clients)
	for i := range conns {
		c, err := e.dial("chat", protocol.JSONReliable, auth.Claims{Subject: fmt.Sprint("echo", i), Roles: senderRoles, Groups: []string{fmt.Sprint("own", i)}})
		if err != nil {
			return "", err
		}
		conns[i] = c
	}
	data := text(size)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < messages; j++ {
				if c.send(protocol.SendToGroupMessage{Group: fmt.Sprint("own", i), Data: data}) != nil {
					closed.Add(1)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, c := range conns {
		go c.discard(func(m protocol.Message) {
			if g, ok := m.(protocol.GroupDataMessage); ok && g.SequenceID != 0 {
				_ = c.send(protocol.SequenceAckMessage{SequenceID: g.SequenceID})
			}
		})
	}
	time.Sleep(2 * time.Second)
	for _, c := range conns {
		c.close()
	}
	return fmt.Sprintf("%d clients were closed while sending", closed.Load()), nil
}

// silentInvocations: 10 clients each start 128 invocations of about 1 MB
// (the per-connection limit) of the event "slow", which the handler holds.
func silentInvocations(e *emulatorProc) (string, error) {
	const clients, each, size = 10, 128, 1<<20 - 8<<10
	var refused atomic.Int32
	var conns []*client
	defer func() {
		for _, c := range conns {
			c.close()
		}
	}()
	data := text(size)
	for i := 0; i < clients; i++ {
		c, err := e.dial("chat", protocol.JSON, auth.Claims{Subject: fmt.Sprint("inv", i)})
		if err != nil {
			return "", err
		}
		conns = append(conns, c)
		go c.discard(func(m protocol.Message) {
			if r, ok := m.(protocol.InvokeResponseMessage); ok && r.Error != nil {
				refused.Add(1)
			}
		})
		for j := 0; j < each; j++ {
			if err := c.send(protocol.InvokeMessage{InvocationID: fmt.Sprint(j), Target: protocol.InvokeTargetEvent, Event: "slow", Data: data}); err != nil {
				return "", err
			}
		}
	}
	time.Sleep(2 * time.Second)
	return fmt.Sprintf("%d of %d invocations refused at once", refused.Load(), clients*each), nil
}
