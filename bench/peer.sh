#!/usr/bin/env bash
# Lanshelf against book-searcher (zu1k/bs-core, the Rust peer a user would pick instead), side by
# side on the same ROWS synthetic sci-tech records (issue 19):
#   BS_CORE=/path/to/bs-core ROWS=1000000 bash bench/peer.sh
# BS_CORE is a checkout of github.com/zu1k/bs-core built with
#   cargo update -p time; mkdir -p frontend/dist; echo '<!doctype html>' > frontend/dist/index.html
#   cargo +stable build --release -p book-searcher
# (its own target folder). One dump is generated and imported into Lanshelf's catalog; the peer gets
# the same records as its CSV (exported from that catalog). Then, ROUNDS times (default 3),
# interleaved: the peer's index build and Lanshelf's (`lanshelf index`; wall time, CPU, peak RSS);
# both servers started fresh; a cold pass (each of the 300 queries once, facet cache empty), one
# client for DURATION (JSON), 16 connections under wrk (JSON, and Lanshelf's full HTML page);
# memory after the load (VmHWM, RSS, PSS, anonymous). Prints the median of the rounds and
# Lanshelf ÷ peer. Other jobs on the machine move the absolute figures: read the ratios.
source "$(dirname "$0")/common.sh"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
: "${BS_CORE:?set BS_CORE to a built checkout of zu1k/bs-core}"
PEER_BIN="$BS_CORE/target/release/book-searcher"
[ -x "$PEER_BIN" ] || { echo "no $PEER_BIN: build it (see the head of this script)" >&2; exit 1; }
ROWS=${ROWS:-1000000}; ROUNDS=${ROUNDS:-3}; DURATION=${DURATION:-10s}; PER_PAGE=${PER_PAGE:-25}
build
W="$OUT/peer"; mkdir -p "$W"
DUMP=$(gen libgen "$ROWS" 1)
DB="$W/catalog.sqlite"; IDX="$W/index"
if [ ! -s "$DB" ]; then
  rm -rf "$DB" "$DB"-wal "$DB"-shm "$IDX"
  timed "$BIN" --db "$DB" --index "$IDX" import --no-index "$DUMP"
  echo "lanshelf import (not timed against the peer): $SECS s, peak $RSS_MB MB" >&2
fi
CSV="$W/books.csv"
if [ ! -s "$CSV" ]; then
  # id,title,author,publisher,extension,filesize,language,year,pages,isbn,ipfs_cid,cover_url,md5
  sqlite3 -csv "file:$DB?mode=ro" "SELECT id, title, author, publisher, extension, filesize,
    language, year, pages, identifier_wodash, '', '', md5 FROM libgen" > "$CSV"
fi
QUERIES="$W/queries.txt"
python3 bench/peer_queries.py "$DB" 300 > "$QUERIES"
enc() { python3 -c 'import sys, urllib.parse
for l in sys.stdin: print(sys.argv[1] + urllib.parse.quote_plus(l.rstrip("\n")) + sys.argv[2])' "$@"; }
enc "/search?limit=$PER_PAGE&query=" "" < "$QUERIES" > "$W/peer-json.paths"
enc "/api/search?q=" "&per_page=$PER_PAGE" < "$QUERIES" > "$W/ours-json.paths"
enc "/search?q=" "&per_page=$PER_PAGE" < "$QUERIES" > "$W/ours-html.paths"
# The peer keeps its index beside its executable.
mkdir -p "$W/bs"; cp "$PEER_BIN" "$W/bs/book-searcher"

R="$W/results.tsv"; : > "$R"
put() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$R"; } # round system metric value
index_run() { # system round
  local log; log=$(mktemp)
  if [ "$1" = peer ]; then
    rm -rf "$W/bs/index"
    /usr/bin/time -v "$W/bs/book-searcher" index -f "$CSV" > /dev/null 2> "$log"
  else
    /usr/bin/time -v "$BIN" --db "$DB" --index "$IDX" index > /dev/null 2> "$log"
  fi
  local secs cpu rss
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$log")
  cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {print s}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$log")
  rm -f "$log"
  put "$2" "$1" "index docs/s" "$(echo "$ROWS / $secs" | bc)"
  put "$2" "$1" "index CPU s" "$cpu"
  put "$2" "$1" "index peak MB" "$rss"
}
index_bytes() { # system
  if [ "$1" = peer ]; then du -sb "$W/bs/index" | cut -f1
  else du -sb "$IDX/$(cat "$IDX/CURRENT")" | cut -f1; fi
}
wait_up() { for _ in $(seq 1 300); do curl -sf -o /dev/null "$1" && return 0; sleep 0.2; done; echo "no answer from $1" >&2; exit 1; }
# wrk: requests/s, p50 and p99 in ms.
wrk_run() { # url paths connections [limit]
  local out
  out=$(wrk -t "$([ "$3" -gt 1 ] && echo 2 || echo 1)" -c "$3" -d "$( [ -n "${4:-}" ] && echo 5s || echo "$DURATION")" \
    --latency -s bench/peer.lua "$1" -- "$2" ${4:-} 2>&1)
  if echo "$out" | grep -q 'Non-2xx\|Socket errors'; then echo "$out" >&2; fi
  local rps p50 p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print int($2)}')
  ms() { echo "$out" | awk -v p="$1" '$1 == p {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.2f", v}'; }
  p50=$(ms 50%); p99=$(ms 99%)
  echo "$rps $p50 $p99"
}
mem() { # pid -> VmHWM RSS PSS anon (MB)
  local hwm rss pss anon
  hwm=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$1/status")
  rss=$(awk '/VmRSS/ {print int($2/1024)}' "/proc/$1/status")
  pss=$(awk '/^Pss:/ {print int($2/1024)}' "/proc/$1/smaps_rollup")
  anon=$(awk '/^Anonymous:/ {print int($2/1024)}' "/proc/$1/smaps_rollup")
  echo "$hwm $rss $pss $anon"
}
PEER_PORT=${PEER_PORT:-17071}; OUR_PORT=${OUR_PORT:-17072}
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; PIDS=(); }
trap cleanup EXIT
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round/$ROUNDS: index builds" >&2
  if [ $((round % 2)) = 1 ]; then order="peer ours"; else order="ours peer"; fi
  for s in $order; do index_run "$s" "$round"; done
  put "$round" peer "index B/record" "$(( $(index_bytes peer) / ROWS ))"
  put "$round" ours "index B/record" "$(( $(index_bytes ours) / ROWS ))"
  echo "round $round/$ROUNDS: serving" >&2
  (cd "$W/bs" && RUST_LOG=warn exec ./book-searcher run -b "127.0.0.1:$PEER_PORT") > "$W/peer-serve.log" 2>&1 &
  PEER_PID=$!; PIDS+=("$PEER_PID")
  "$BIN" --db "$DB" --index "$IDX" serve --addr "127.0.0.1:$OUR_PORT" > "$W/ours-serve.log" 2>&1 &
  OUR_PID=$!; PIDS+=("$OUR_PID")
  wait_up "http://127.0.0.1:$PEER_PORT/search?query=x"
  wait_up "http://127.0.0.1:$OUR_PORT/healthz"
  PEER="http://127.0.0.1:$PEER_PORT"; OURS="http://127.0.0.1:$OUR_PORT"
  # Cold: every query once, one client, facet cache empty.
  read -r a b c < <(wrk_run "$PEER" "$W/peer-json.paths" 1 300); put "$round" peer "cold JSON p50 ms" "$b"; put "$round" peer "cold JSON p99 ms" "$c"
  read -r a b c < <(wrk_run "$OURS" "$W/ours-json.paths" 1 300); put "$round" ours "cold JSON p50 ms" "$b"; put "$round" ours "cold JSON p99 ms" "$c"
  # Warm: one client, then 16 connections.
  for s in peer ours; do
    if [ $s = peer ]; then u=$PEER; p="$W/peer-json.paths"; else u=$OURS; p="$W/ours-json.paths"; fi
    read -r a b c < <(wrk_run "$u" "$p" 1); put "$round" $s "1 client JSON q/s" "$a"; put "$round" $s "1 client JSON p50 ms" "$b"; put "$round" $s "1 client JSON p99 ms" "$c"
  done
  for s in peer ours; do
    if [ $s = peer ]; then u=$PEER; p="$W/peer-json.paths"; else u=$OURS; p="$W/ours-json.paths"; fi
    read -r a b c < <(wrk_run "$u" "$p" 16); put "$round" $s "wrk 16 JSON req/s" "$a"; put "$round" $s "wrk 16 JSON p99 ms" "$c"
  done
  read -r a b c < <(wrk_run "$OURS" "$W/ours-html.paths" 16); put "$round" ours "wrk 16 HTML req/s" "$a"; put "$round" ours "wrk 16 HTML p99 ms" "$c"
  for s in peer ours; do
    if [ $s = peer ]; then pid=$PEER_PID; else pid=$OUR_PID; fi
    read -r hwm rss pss anon < <(mem "$pid")
    put "$round" $s "serve VmHWM MB" "$hwm"; put "$round" $s "serve RSS MB" "$rss"
    put "$round" $s "serve PSS MB" "$pss"; put "$round" $s "serve anonymous MB" "$anon"
  done
  cleanup
done
echo
echo "$ROWS records, $(wc -l < "$QUERIES") queries, $ROUNDS interleaved rounds (median; min–max), load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$R" <<'EOF'
import collections, statistics, sys
vals = collections.defaultdict(list)
order = []
for line in open(sys.argv[1]):
    r, s, m, v = line.rstrip("\n").split("\t")
    if m not in order:
        order.append(m)
    if v:
        vals[(s, m)].append(float(v))
def cell(k):
    v = vals.get(k)
    if not v:
        return "–", None
    med = statistics.median(v)
    fmt = (lambda x: f"{x:,.0f}".replace(",", " ")) if med >= 100 else (lambda x: f"{x:.2f}")
    return (f"{fmt(med)} ({fmt(min(v))}–{fmt(max(v))})" if len(v) > 1 else fmt(med)), med
print("| | book-searcher | Lanshelf | Lanshelf ÷ peer |")
print("|---|---|---|---|")
for m in order:
    (p, pm), (o, om) = cell(("peer", m)), cell(("ours", m))
    ratio = f"{om / pm:.2f}×" if pm and om is not None else ""
    if m == "wrk 16 HTML req/s":
        pj = cell(("peer", "wrk 16 JSON req/s"))[1]
        ratio = f"{om / pj:.2f}× the peer's JSON" if pj and om else ""
    print(f"| {m} | {p} | {o} | {ratio} |")
EOF
