#!/usr/bin/env bash
# HTTP load (issue 4): `wrk` (Debian) against `lanshelf serve` on loopback, full search pages for a
# fixed mixed query set, bounded in time, on the catalog and index bench/search.sh built. Prints
# requests/s, latency percentiles, and the server's memory before and after.
#   bash bench/load.sh            (DURATION=30s CONNECTIONS=16 THREADS=2)
source "$(dirname "$0")/common.sh"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
build
DB="$OUT/search-bench.sqlite"; IDX="$OUT/search-bench-index"
[ -s "$DB" ] || { echo "run bench/search.sh first (it builds the catalog and index)" >&2; exit 1; }
PORT=${PORT:-18080}
"$BIN" --db "$DB" --index "$IDX" serve --addr "127.0.0.1:$PORT" > "$OUT/serve.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
rss() { awk '/VmRSS/ {print int($2/1024) " MB"}' "/proc/$PID/status"; }
echo "server RSS at start: $(rss)"
wrk -t "${THREADS:-2}" -c "${CONNECTIONS:-16}" -d "${DURATION:-30s}" --latency -s bench/load.lua "http://127.0.0.1:$PORT"
echo "server RSS after load: $(rss) (peak $(awk '/VmHWM/ {print int($2/1024) " MB"}' "/proc/$PID/status"))"
