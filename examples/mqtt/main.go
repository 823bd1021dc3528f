// Command mqtt connects an MQTT client (Eclipse Paho) and a Web PubSub
// client (this repository's Go client) to one hub and lets them talk
// through a group: an MQTT topic is a Web PubSub group. The access tokens
// come from the service SDK; the MQTT client's is made for
// ClientProtocolMQTT, whose endpoint is /clients/mqtt/hubs/{hub}.
//
// The samples are their own module; run them from the examples directory.
// With a Web PubSub resource:
//
//	WEBPUBSUB_CONNECTION_STRING='Endpoint=https://<name>.webpubsub.azure.com;AccessKey=<key>;Version=1.0;' go run ./mqtt
//
// Without one, it starts the emulator in-process and needs nothing else:
//
//	go run ./mqtt
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator"
)

// connectionStringEnv names the environment variable holding the
// connection string of the Web PubSub resource.
const connectionStringEnv = "WEBPUBSUB_CONNECTION_STRING"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := run(ctx, os.Getenv(connectionStringEnv), os.Stdout); err != nil {
		slog.Error("mqtt sample failed", "err", err)
		os.Exit(1)
	}
}

// run exchanges the messages through the resource of connectionString, or
// through an in-process emulator when it is empty, and prints what each
// client received to out.
func run(ctx context.Context, connectionString string, out io.Writer) error {
	if connectionString == "" {
		emu, err := emulator.New(nil)
		if err != nil {
			return fmt.Errorf("starting the emulator: %w", err)
		}
		defer emu.Close()
		connectionString = emu.ConnectionString()
	}
	return exchange(ctx, connectionString, out)
}
