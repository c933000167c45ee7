#!/usr/bin/env bash
# Where a request's time goes, against book-searcher, on the folder bench/peer.sh kept (issue 19):
# requests/s under wrk (2 threads, 16 connections) of the peer's JSON with 25 and 1 results, and
# of ours: /healthz (the HTTP floor: routing, access rules, headers), the JSON API with 1 and 25
# results, the full HTML page with 25; ROUNDS rounds in turn, median, and each as the CPU per
# request it implies (both servers and wrk share the machine's cores: 1 / (req/s) × cores).
#   OUT=bench/out/peer19 BS_CORE=/work/bs-core ROWS=1000000 bash bench/peer.sh   # once
#   OUT=bench/out/peer19 bash bench/peer_floor.sh
# Environment: OUT, ROUNDS (2), DURATION (6s), NO_BUILD.
source "$(dirname "$0")/common.sh"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
ROUNDS=${ROUNDS:-2}; DURATION=${DURATION:-6s}
W="$OUT/peer"
[ -s "$W/catalog.sqlite" ] && [ -x "$W/bs/book-searcher" ] ||
  { echo "no kept peer folder in $W: run bench/peer.sh with this OUT first" >&2; exit 2; }
build
T=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$T"' EXIT
for _ in $(seq 300); do echo /healthz; done > "$T/healthz.paths"
sed 's/per_page=25/per_page=1/' "$W/ours-json.paths" > "$T/ours-json-1.paths"
sed 's/limit=25/limit=1/' "$W/peer-json.paths" > "$T/peer-json-1.paths"
PEER_PORT=${PEER_PORT:-17071}; OUR_PORT=${OUR_PORT:-17072}
(cd "$W/bs" && RUST_LOG=warn exec ./book-searcher run -b "127.0.0.1:$PEER_PORT") > "$T/peer.log" 2>&1 &
"$BIN" --db "$W/catalog.sqlite" --index "$W/index" serve --addr "127.0.0.1:$OUR_PORT" > "$T/ours.log" 2>&1 &
for u in "127.0.0.1:$PEER_PORT/search?query=x" "127.0.0.1:$OUR_PORT/healthz"; do
  for _ in $(seq 150); do curl -sf -o /dev/null "http://$u" && break; sleep 0.2; done
done
rps() { wrk -t2 -c16 -d"$DURATION" -s bench/peer.lua "http://127.0.0.1:$1" -- "$2" 2>&1 | awk '/Requests\/sec/ {print int($2)}'; }
# Warm both (facet cache, page cache), as peer.sh's wrk pass follows its 1-client pass.
rps "$OUR_PORT" "$W/ours-json.paths" > /dev/null; rps "$PEER_PORT" "$W/peer-json.paths" > /dev/null
CASES=("peer JSON, 25 results|$PEER_PORT|$W/peer-json.paths" "peer JSON, 1 result|$PEER_PORT|$T/peer-json-1.paths"
  "ours /healthz|$OUR_PORT|$T/healthz.paths" "ours JSON, 1 result|$OUR_PORT|$T/ours-json-1.paths"
  "ours JSON, 25 results|$OUR_PORT|$W/ours-json.paths" "ours HTML, 25 results|$OUR_PORT|$W/ours-html.paths")
: > "$T/res"
for r in $(seq "$ROUNDS"); do
  for c in "${CASES[@]}"; do IFS='|' read -r name port paths <<< "$c"; echo "$name|$(rps "$port" "$paths")" >> "$T/res"; done
done
CORES=$(nproc)
echo "wrk -t2 -c16 -d$DURATION, $ROUNDS rounds, median; $CORES cores shared by both servers and wrk; $(date -u +%F), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 - "$T/res" "$CORES" <<'PY'
import collections, statistics, sys
runs = collections.OrderedDict()
for line in open(sys.argv[1]):
    name, v = line.rstrip("\n").split("|")
    runs.setdefault(name, []).append(int(v))
cores = int(sys.argv[2])
peer = statistics.median(runs["peer JSON, 25 results"])
print("| | req/s | CPU ms per request | ÷ peer JSON (25) |")
print("|---|---|---|---|")
for name, vs in runs.items():
    m = statistics.median(vs)
    print(f"| {name} | {m:,.0f} | {cores * 1000 / m:.3f} | {m / peer:.2f}× |")
PY
