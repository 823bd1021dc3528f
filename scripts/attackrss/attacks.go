package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// huge is 1 MB of text a client chooses, under net/http's 1 MB of request
// headers and the 1 MiB a client frame may carry.
var huge = strings.Repeat("x", 1<<20-8<<10)

var senderRoles = []string{protocol.RoleSendToGroup, protocol.RoleJoinLeaveGroup}

// attacks are the rows of the table, in issue 21's order.
func attacks() []attack {
	return []attack{
		{name: "none (idle emulator)", run: func(*emulatorProc) (string, error) { return "", nil }},
		{name: "#21.1 2,000 unauthenticated GETs with 1 MB paths, 200 handshakes with 1 MB hub names", run: unauthenticatedPaths},
		{name: "#21.2 256 streams and 128 invocations with 1 MB ids, 100 events with 1 MB names", upstream: true, run: hugeIDs},
		{name: "#21.3 400 connections joining 500 groups of 1,000 characters each, then gone", run: groupsOfGoneConnections},
		{name: "#21.4 settings file swapped for a link to /dev/zero (5 s)", config: settingsDoc, run: settingsToZero},
		{name: "#21.4 settings file swapped for a link to a FIFO nobody writes to (2 s)", config: settingsDoc, run: settingsToFIFO},
		{name: "#21.5 50 reliable clients echoing 15 MiB each to themselves", run: echoClients},
		{name: "#21.5 10 clients with 128 invocations of 1 MB against a handler that never answers", upstream: true, run: silentInvocations},
	}
}

// get sends a GET without a token and discards the answer.
func get(c *http.Client, u string) error {
	resp, err := c.Get(u)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// unauthenticatedPaths sends the requests from two connections at once.
func unauthenticatedPaths(e *emulatorProc) (string, error) {
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{}
			for i := w; i < 2000 && errs[w] == nil; i += 2 {
				errs[w] = get(c, fmt.Sprintf("%s/api/hubs/h%d%s/groups/g/connections", e.endpoint, i, huge))
			}
			for i := w; i < 200 && errs[w] == nil; i += 2 {
				errs[w] = get(c, fmt.Sprintf("%s/client/hubs/h%d%s", e.endpoint, i, huge))
			}
		}()
	}
	wg.Wait()
	return "", errors.Join(errs...)
}

// hugeIDs opens streams and invocations with 1 MB ids (the invocations'
// event is "slow": the handler holds them) and sends events with 1 MB
// names, each from a client of its own.
func hugeIDs(e *emulatorProc) (string, error) {
	var clients []*client
	defer func() {
		for _, c := range clients {
			c.close()
		}
	}()
	sends := []func(i int) protocol.Message{
		func(i int) protocol.Message {
			return protocol.SendToGroupMessage{Group: "g", Stream: &protocol.StreamOpen{StreamID: fmt.Sprint(i, huge)}}
		},
		func(i int) protocol.Message {
			return protocol.InvokeMessage{InvocationID: fmt.Sprint(i, huge), Target: protocol.InvokeTargetEvent, Event: "slow", Data: text(1)}
		},
		func(i int) protocol.Message {
			return protocol.EventMessage{Event: fmt.Sprint("e", i, huge), Data: text(1)}
		},
	}
	counts := []int{256, 128, 100}
	refused := make([]int, len(sends))
	for k, msg := range sends {
		c, err := e.dial("chat", protocol.JSON, auth.Claims{Subject: fmt.Sprint("ids", k), Roles: senderRoles})
		if err != nil {
			return "", err
		}
		clients = append(clients, c)
		go c.discard(nil)
		for i := 0; i < counts[k]; i++ {
			if c.send(msg(i)) != nil {
				refused[k] = counts[k] - i // the emulator closed the connection
				break
			}
		}
	}
	time.Sleep(time.Second)
	return fmt.Sprintf("frames not sent because the connection was closed: %v", refused), nil
}

// groupsOfGoneConnections connects 400 clients that each join 500 groups
// of 1,000 characters (without waiting for the acks), then closes them all.
func groupsOfGoneConnections(e *emulatorProc) (string, error) {
	const clients, joins = 400, 500
	var refused atomic.Int32
	var conns []*client
	for i := 0; i < clients; i++ {
		c, err := e.dial("chat", protocol.JSON, auth.Claims{Subject: fmt.Sprint("u", i), Roles: senderRoles})
		if err != nil {
			return fmt.Sprintf("%d connected", i), err
		}
		conns = append(conns, c)
		go c.discard(func(m protocol.Message) {
			if a, ok := m.(protocol.AckMessage); ok && !a.Success {
				refused.Add(1)
			}
		})
		for j := 0; j < joins; j++ {
			id := uint64(j + 1)
			if err := c.send(protocol.JoinGroupMessage{Group: fmt.Sprintf("%03d%s", j, strings.Repeat("g", 997)), AckID: &id}); err != nil {
				return "", err
			}
		}
	}
	time.Sleep(time.Second)
	for _, c := range conns {
		c.close()
	}
	return fmt.Sprintf("%d of %d joins refused", refused.Load(), clients*joins), nil
}

// settingsDoc is a valid settings file of both builds.
const settingsDoc = `{"hubs": {"chat": {"anonymousConnectPolicy": "allow"}}}`

// settingsToZero swaps the settings file for a symbolic link to /dev/zero
// and waits 5 s.
func settingsToZero(e *emulatorProc) (string, error) {
	if err := swapFor(e.settingsPath(), "/dev/zero"); err != nil {
		return "", err
	}
	time.Sleep(5 * time.Second)
	return "", nil
}

// settingsToFIFO swaps the settings file for a symbolic link to a named
// pipe nobody writes to and waits 2 s; the stop that follows shows whether
// the watcher blocks Close.
func settingsToFIFO(e *emulatorProc) (string, error) {
	fifo := e.settingsPath() + ".fifo"
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		return "", err
	}
	if err := swapFor(e.settingsPath(), fifo); err != nil {
		return "", err
	}
	time.Sleep(2 * time.Second)
	return "", nil
}

// swapFor replaces the file at path with a symbolic link to target.
func swapFor(path, target string) error {
	if err := os.Remove(path); err != nil {
		return err
	}
	return os.Symlink(target, path)
}
