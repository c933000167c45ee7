#!/usr/bin/env bash
# Serve memory against latency (issue 19): `lanshelf serve` with several catalog memory settings
# (`--catalog-mmap-mib`, `--catalog-cache-mib`), each under the same wrk load (16 connections,
# JSON API then full HTML pages, the query set bench/peer.sh draws), interleaved ROUNDS times;
# prints per setting the median requests/s, p99, and the memory after the load: VmHWM and RSS
# (what `docker stats` and `top` show: every mapped page, counted once per mapping), PSS (the
# process's share of each page it maps: what it costs) and anonymous memory (heap).
#   DB=bench/out/peer/catalog.sqlite IDX=bench/out/peer/index bash bench/serve_memory.sh
#   SETTINGS="256:16 0:16 0:4" (mmap MiB:cache MiB per connection)
source "$(dirname "$0")/common.sh"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
build
DB=${DB:-$OUT/peer/catalog.sqlite}; IDX=${IDX:-$OUT/peer/index}
[ -s "$DB" ] || { echo "no catalog $DB: run bench/peer.sh first, or set DB and IDX" >&2; exit 1; }
SETTINGS=${SETTINGS:-"256:16 0:16 0:4"}; ROUNDS=${ROUNDS:-3}; DURATION=${DURATION:-15s}
Q=$(mktemp -d)
python3 bench/peer_queries.py "$DB" 300 > "$Q/queries.txt"
enc() { python3 -c 'import sys, urllib.parse
for l in sys.stdin: print(sys.argv[1] + urllib.parse.quote_plus(l.rstrip("\n")) + sys.argv[2])' "$@"; }
enc "/api/search?q=" "&per_page=25" < "$Q/queries.txt" > "$Q/json.paths"
enc "/search?q=" "&per_page=25" < "$Q/queries.txt" > "$Q/html.paths"
PORT=${PORT:-17073}
R="$Q/results.tsv"
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$Q"' EXIT
wrk_run() { # paths -> "req/s p99ms"
  wrk -t2 -c16 -d "$DURATION" --latency -s bench/peer.lua "http://127.0.0.1:$PORT" -- "$1" 2>&1 |
    awk '/Requests\/sec/ {r=int($2)} $1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else {sub(/s/,"",v); v*=1000}; p=v} END {printf "%d %.2f\n", r, p}'
}
for round in $(seq 1 "$ROUNDS"); do
  for s in $SETTINGS; do
    mmap=${s%%:*}; cache=${s##*:}
    "$BIN" --db "$DB" --index "$IDX" serve --addr "127.0.0.1:$PORT" \
      --catalog-mmap-mib "$mmap" --catalog-cache-mib "$cache" > /dev/null 2>&1 &
    PID=$!
    for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.2; done
    read -r a b < <(wrk_run "$Q/json.paths"); printf '%s\tJSON req/s\t%s\n%s\tJSON p99 ms\t%s\n' "$s" "$a" "$s" "$b" >> "$R"
    read -r a b < <(wrk_run "$Q/html.paths"); printf '%s\tHTML req/s\t%s\n%s\tHTML p99 ms\t%s\n' "$s" "$a" "$s" "$b" >> "$R"
    printf '%s\tVmHWM MB\t%s\n' "$s" "$(awk '/VmHWM/ {print int($2/1024)}' /proc/$PID/status)" >> "$R"
    printf '%s\tRSS MB\t%s\n' "$s" "$(awk '/VmRSS/ {print int($2/1024)}' /proc/$PID/status)" >> "$R"
    printf '%s\tPSS MB\t%s\n' "$s" "$(awk '/^Pss:/ {print int($2/1024)}' /proc/$PID/smaps_rollup)" >> "$R"
    printf '%s\tanonymous MB\t%s\n' "$s" "$(awk '/^Anonymous:/ {print int($2/1024)}' /proc/$PID/smaps_rollup)" >> "$R"
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
  done
done
echo "catalog $(du -m "$DB" | cut -f1) MB, index $(du -sm "$IDX" | cut -f1) MB; $ROUNDS interleaved rounds of $DURATION per load, median (min–max); load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$R" $SETTINGS <<'EOF'
import collections, statistics, sys
vals, metrics = collections.defaultdict(list), []
for line in open(sys.argv[1]):
    s, m, v = line.rstrip("\n").split("\t")
    if m not in metrics: metrics.append(m)
    vals[(s, m)].append(float(v))
settings = sys.argv[2:]
print("| mmap:cache MiB per connection | " + " | ".join(settings) + " |")
print("|---" * (len(settings) + 1) + "|")
for m in metrics:
    cells = []
    for s in settings:
        v = vals[(s, m)]
        cells.append(f"{statistics.median(v):g} ({min(v):g}–{max(v):g})")
    print(f"| {m} | " + " | ".join(cells) + " |")
EOF
