package main

import (
	"context"
	"fmt"
	"io"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
)

// The hub and the groups (MQTT topics) of the sample: the sensor publishes
// readings, the dashboard answers on commands.
const (
	hub      = "sensors"
	topic    = "readings"
	commands = "commands"
)

// exchange connects both clients and lets each send one message to the
// other through the group.
func exchange(ctx context.Context, connectionString string, out io.Writer) error {
	sc, err := webpubsub.NewServiceClientFromConnectionString(connectionString, hub, nil)
	if err != nil {
		return err
	}
	roles := []string{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"}
	fromMQTT := make(chan string, 1)
	wps, err := startWebPubSub(ctx, sc, roles, fromMQTT)
	if err != nil {
		return err
	}
	defer wps.Stop(context.Background())
	fromWPS := make(chan string, 1)
	mq, err := startMQTT(ctx, sc, roles, fromWPS)
	if err != nil {
		return err
	}
	defer mq.Disconnect(250)

	if t := mq.Publish(topic, 1, false, "21.5 °C from the MQTT client"); !waitToken(ctx, t) {
		return fmt.Errorf("publishing from MQTT: %v", tokenError(t))
	}
	got, err := receive(ctx, fromMQTT)
	if err != nil {
		return fmt.Errorf("the Web PubSub client got nothing: %w", err)
	}
	fmt.Fprintf(out, "Web PubSub client received: %s\n", got)
	if _, err := wps.SendToGroup(ctx, commands, client.Text("thanks from the Web PubSub client"), nil); err != nil {
		return fmt.Errorf("sending from Web PubSub: %w", err)
	}
	got, err = receive(ctx, fromWPS)
	if err != nil {
		return fmt.Errorf("the MQTT client got nothing: %w", err)
	}
	fmt.Fprintf(out, "MQTT client received: %s\n", got)
	return nil
}

// startWebPubSub starts a Web PubSub client in the group; what it receives
// goes to got.
func startWebPubSub(ctx context.Context, sc *webpubsub.ServiceClient, roles []string, got chan<- string) (*client.Client, error) {
	tok, err := sc.GetClientAccessToken(ctx, &webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "dashboard", Roles: roles})
	if err != nil {
		return nil, err
	}
	c, err := client.New(tok.URL, &client.Options{
		OnGroupMessage: func(_ context.Context, m client.GroupMessage) {
			select {
			case got <- string(m.Data):
			default:
			}
		},
	})
	if err != nil {
		return nil, err
	}
	if err := c.Start(ctx); err != nil {
		return nil, err
	}
	if _, err := c.JoinGroup(ctx, topic, nil); err != nil {
		_ = c.Stop(context.Background())
		return nil, err
	}
	return c, nil
}

// startMQTT connects a Paho client (MQTT 3.1.1 over WebSocket) with an
// MQTT access token and subscribes it to the commands; what it receives goes
// to got.
func startMQTT(ctx context.Context, sc *webpubsub.ServiceClient, roles []string, got chan<- string) (paho.Client, error) {
	tok, err := sc.GetClientAccessToken(ctx, &webpubsub.ServiceClientGetClientAccessTokenOptions{
		UserID: "sensor1", Roles: roles, Protocol: webpubsub.ClientProtocolMQTT,
	})
	if err != nil {
		return nil, err
	}
	// The service takes client ids of letters and digits only.
	opts := paho.NewClientOptions().AddBroker(tok.URL).SetClientID("sensor1").
		SetProtocolVersion(4).SetAutoReconnect(false).SetConnectTimeout(10 * time.Second)
	c := paho.NewClient(opts)
	if t := c.Connect(); !waitToken(ctx, t) {
		return nil, fmt.Errorf("connecting the MQTT client: %v", tokenError(t))
	}
	handler := func(_ paho.Client, m paho.Message) {
		select {
		case got <- string(m.Payload()):
		default:
		}
	}
	if t := c.Subscribe(commands, 1, handler); !waitToken(ctx, t) {
		c.Disconnect(0)
		return nil, fmt.Errorf("subscribing: %v", tokenError(t))
	}
	return c, nil
}

// waitToken waits for a Paho operation; false when it failed or ctx ended.
func waitToken(ctx context.Context, t paho.Token) bool {
	select {
	case <-t.Done():
		return t.Error() == nil
	case <-ctx.Done():
		return false
	}
}

// tokenError is a Paho operation's error, or "timed out".
func tokenError(t paho.Token) any {
	if err := t.Error(); err != nil {
		return err
	}
	return "timed out"
}

// receive waits for one message.
func receive(ctx context.Context, ch <-chan string) (string, error) {
	select {
	case s := <-ch:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
