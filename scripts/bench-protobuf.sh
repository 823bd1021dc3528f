#!/usr/bin/env bash
# Runs the protobuf-versus-JSON benchmarks in interleaved rounds (each round
# runs each benchmark once, so both protocols meet the same host noise) and
# prints benchstat summaries and the per-round ratios BENCHMARKS.md reports.
#
#   ROUNDS=6 OUT=/tmp/bench-protobuf scripts/bench-protobuf.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-6}
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"

go test -c -o "$out/client.test" ./client
go test -c -o "$out/emulator.test" ./emulator
: > "$out/client.txt"
: > "$out/emulator.txt"
for r in $(seq "$rounds"); do
  echo "round $r/$rounds" >&2
  (cd client && "$out/client.test" -test.run '^$' -test.bench '^BenchmarkSendToGroupAck(Protobuf)?$' \
    -test.benchmem -test.count 1 -test.benchtime 2s) >> "$out/client.txt"
  (cd emulator && "$out/emulator.test" -test.run '^$' -test.bench '^BenchmarkBroadcastFanOut$/^emulator/' \
    -test.benchmem -test.count 1 -test.benchtime 300x) >> "$out/emulator.txt"
done

benchstat=$(go env GOPATH)/bin/benchstat
[ -x "$benchstat" ] || GOFLAGS= go install golang.org/x/perf/cmd/benchstat@latest
"$benchstat" "$out/client.txt"
"$benchstat" "$out/emulator.txt"

# ratio FILE NUM DEN UNIT: the median over rounds of NUM/DEN (same round).
ratio() {
  paste <(grep -E "^Benchmark$2-[0-9]+ " "$1" | awk -v u="$4" '{for(i=1;i<NF;i++) if($(i+1)==u) print $i}') \
        <(grep -E "^Benchmark$3-[0-9]+ " "$1" | awk -v u="$4" '{for(i=1;i<NF;i++) if($(i+1)==u) print $i}') |
    awk '{printf "%.4f\n", $1/$2}' | sort -n |
    awk -v label="$2 / $3 ($4)" '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%-75s median %.2f  (rounds: %d, min %.2f, max %.2f)\n", label, m, NR, v[1], v[NR]}'
}
echo
echo "== per-round ratios"
ratio "$out/client.txt" SendToGroupAckProtobuf SendToGroupAck msgs/s
ratio "$out/client.txt" SendToGroupAckProtobuf SendToGroupAck B/op
ratio "$out/client.txt" SendToGroupAckProtobuf SendToGroupAck allocs/op
ratio "$out/emulator.txt" BroadcastFanOut/emulator/protobuf BroadcastFanOut/emulator/json deliveries/s
ratio "$out/emulator.txt" BroadcastFanOut/emulator/protobuf BroadcastFanOut/emulator/json B/op
echo "raw output: $out"
