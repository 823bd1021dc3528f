#!/usr/bin/env bash
# Runs every benchmark of the module in interleaved rounds: each round runs
# each benchmark once, so a benchmark and its baseline always run back to back
# and host noise hits both alike. Writes the raw output (benchstat input) to
# $OUT/<package>.txt and prints benchstat summaries and the per-round ratios
# that BENCHMARKS.md reports (median over the rounds).
#
#   ROUNDS=6 OUT=/tmp/bench scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-6}
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"

# package dir | benchtime
pkgs=(
  ".|1s" "internal/auth|1s" "internal/odata|1s" "eventhandler|1s" "internal/upstream|1s"
  "emulator|300x" "client|2s" "emulatortest|500x"
)
name() { local n=${1//\//_}; [ "$n" = . ] && n=root; echo "$n"; }

for p in "${pkgs[@]}"; do
  dir=${p%%|*}
  go test -c -o "$out/$(name "$dir").test" "./$dir"
  : > "$out/$(name "$dir").txt"
done
for r in $(seq "$rounds"); do
  echo "round $r/$rounds" >&2
  for p in "${pkgs[@]}"; do
    dir=${p%%|*} bt=${p##*|}
    (cd "$dir" && "$out/$(name "$dir").test" -test.run '^$' -test.bench . -test.benchmem \
      -test.count 1 -test.benchtime "$bt") >> "$out/$(name "$dir").txt"
  done
done

benchstat=$(go env GOPATH)/bin/benchstat
[ -x "$benchstat" ] || GOFLAGS= go install golang.org/x/perf/cmd/benchstat@latest
for p in "${pkgs[@]}"; do "$benchstat" "$out/$(name "${p%%|*}").txt"; done

# ratio FILE NUM DEN UNIT: the median over rounds of NUM/DEN, reading the value
# printed before UNIT on each benchmark's line (the n-th line of NUM pairs
# with the n-th line of DEN, i.e. the same round).
ratio() {
  paste <(grep -E "^Benchmark$2-[0-9]+ " "$1" | awk -v u="$4" '{for(i=1;i<NF;i++) if($(i+1)==u) print $i}') \
        <(grep -E "^Benchmark$3-[0-9]+ " "$1" | awk -v u="$4" '{for(i=1;i<NF;i++) if($(i+1)==u) print $i}') |
    awk '{printf "%.4f\n", $1/$2}' | sort -n |
    awk -v label="$2 / $3 ($4)" '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%-75s median %.2f  (rounds: %d, min %.2f, max %.2f)\n", label, m, NR, v[1], v[NR]}'
}
echo
echo "== per-round ratios"
ratio "$out/root.txt" ClientAccessToken ClientAccessTokenBaseline ns/op
ratio "$out/root.txt" SendToAll SendToAllBaseline ns/op
ratio "$out/emulator.txt" BroadcastFanOut/emulator/simple BroadcastFanOut/baseline/raw-websocket-write-loop deliveries/s
ratio "$out/emulator.txt" BroadcastFanOut/emulator/json BroadcastFanOut/baseline/raw-websocket-write-loop deliveries/s
ratio "$out/emulator.txt" IdleConnectionMemory/emulator/json IdleConnectionMemory/baseline/coder-websocket-read bytes/conn
ratio "$out/client.txt" SendToGroupAckParallel SendToGroupAck msgs/s
ratio "$out/client.txt" SendToGroupAckProtobuf SendToGroupAck msgs/s
ratio "$out/emulator.txt" BroadcastFanOut/emulator/protobuf BroadcastFanOut/emulator/json deliveries/s
ratio "$out/emulatortest.txt" StartStop/emulatortest StartStop/baseline ns/op
ratio "$out/emulatortest.txt" StartConnectStop/emulatortest StartConnectStop/baseline ns/op
echo "raw output: $out"
