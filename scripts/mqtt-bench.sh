#!/usr/bin/env bash
# Measures MQTT fan-out (one publisher, 100 subscribers) through the
# emulator and through Mosquitto with the same Paho clients, interleaved
# (BenchmarkFanout in examples/mqtt). Run by hand, as root (unshare):
#
#   apt-get install -y mosquitto && scripts/mqtt-bench.sh [count]
#
# Debian's Mosquitto 2.0.11 needs a TCP listener beside its websockets one,
# and its websockets listener ignores its bind address (it listens on every
# interface): everything runs in a private network namespace, whose only
# interface is its own loopback.
set -euo pipefail
count="${1:-4}"
root="$(cd "$(dirname "$0")/.." && pwd)"
exec unshare -n bash -s "$root" "$count" <<'INNER'
set -euo pipefail
root="$1"; count="$2"
ip link set lo up
dir="$(mktemp -d)"
trap 'kill "$(cat "$dir/pid")" 2>/dev/null || true; rm -rf "$dir"' EXIT
cat > "$dir/mosquitto.conf" <<CONF
persistence false
allow_anonymous true
listener 18830 127.0.0.1
listener 18831
protocol websockets
CONF
mosquitto -c "$dir/mosquitto.conf" >"$dir/log" 2>&1 &
echo $! > "$dir/pid"
sleep 0.5
cd "$root/examples"
# One round runs every case once (emulator, then Mosquitto); rounds repeat,
# so that the two are measured interleaved.
GOFLAGS=-mod=mod GOPROXY=off go test -c -o "$dir/mqtt.test" ./mqtt
for _ in $(seq "$count"); do
  MQTT_BENCH_MOSQUITTO=ws://127.0.0.1:18831/mqtt "$dir/mqtt.test" -test.run '^$' -test.bench BenchmarkFanout -test.benchtime 2000x
done
INNER
