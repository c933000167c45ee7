#!/usr/bin/env bash
# Latency under attack (issue 18): `lanshelf serve` (release, default limits) on a synthetic
# catalog, measured by a client that asks for `/healthz` and record pages one request at a time,
# in three phases of DURATION seconds each, side by side:
#   quiet    nothing else runs (the baseline);
#   readers  ADDRESSES loopback addresses open CONNECTIONS connections each, ask for a 64 MB
#            download and never read a byte (the slow-reader attack: they fill socket buffers and
#            hold their slots until the write timeout);
#   deep     four clients ask json.php for deep pages (offset 99 000, 1 000 rows, every field)
#            over and over.
# Prints p50 / p99 / max of /healthz and of record pages in each phase, and the ratio to quiet.
#   bash bench/attack.sh           (ROWS=1000000 DURATION=20 ADDRESSES=4 CONNECTIONS=100)
source "$(dirname "$0")/common.sh"
build
ROWS=${ROWS:-1000000}
DURATION=${DURATION:-20}
A=$(gen libgen "$ROWS" 1)
DIR="$OUT/attack"; rm -rf "$DIR"; mkdir -p "$DIR"
export LANSHELF_DB="$DIR/catalog.sqlite" LANSHELF_INDEX="$DIR/index"
"$BIN" import "$A" > /dev/null
# The file of record 1, 64 MB: far more than the socket buffers of a client that never reads.
MD5=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select lower(md5) from libgen where id=1').fetchone()[0])" "$LANSHELF_DB")
mkdir -p "$DIR/repository/libgen/0"
head -c $((64 << 20)) /dev/zero > "$DIR/repository/libgen/0/$MD5"
PORT=${PORT:-18090}
"$BIN" serve --addr "127.0.0.1:$PORT" --repository "$DIR/repository" > "$DIR/serve.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
echo "catalog: $ROWS sci-tech records; serve with its default limits (512 connections, 64 per client, 30 s write timeout); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$LANSHELF_DB" "$PORT" "$DURATION" "${ADDRESSES:-4}" "${CONNECTIONS:-100}" <<'EOF'
import http.client, random, socket, sqlite3, statistics, sys, threading, time
port, duration, addresses, per_address = (int(a) for a in sys.argv[2:])
# Record pages of records that exist (the generator leaves gaps between ids).
ids = [r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT id FROM libgen ORDER BY random() LIMIT 20000")]

def timed_get(path):
    started = time.perf_counter()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", path)
    r = c.getresponse()
    r.read()
    c.close()
    return r.status, (time.perf_counter() - started) * 1000

def measure(seconds):
    """One client: /healthz and a record page in turn, one request at a time."""
    lat = {"healthz": [], "record": []}
    failures = 0
    end = time.time() + seconds
    rng = random.Random(7)
    while time.time() < end:
        for kind, path in (("healthz", "/healthz"), ("record", f"/libgen/{rng.choice(ids)}")):
            try:
                status, ms = timed_get(path)
            except OSError:
                status, ms = 0, 30000
            if status != 200:
                failures += 1
            lat[kind].append(ms)
    return lat, failures

def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]

results = {}
def report(phase, lat, failures, extra=""):
    results[phase] = lat
    for kind in ("healthz", "record"):
        v = lat[kind]
        base = results["quiet"][kind]
        print(f"  {phase:8} {kind:8} n={len(v):5}  p50 {pct(v, .5):6.1f} ms  p99 {pct(v, .99):6.1f} ms  "
              f"max {max(v):7.1f} ms  (p99 {pct(v, .99) / pct(base, .99):4.1f}x quiet)")
    print(f"  {phase:8} failed requests (not 200): {failures}{extra}")

print(f"phase quiet: {duration} s")
lat, failures = measure(duration)
report("quiet", lat, failures)

print(f"phase readers: {addresses} addresses x {per_address} connections asking for 64 MB and never reading")
held = []
for a in range(addresses):
    for _ in range(per_address):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.bind((f"127.0.0.{a + 2}", 0))
        try:
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET /download/libgen/1 HTTP/1.1\r\nHost: x\r\n\r\n")
        except OSError:
            pass
        held.append(s)
time.sleep(1)
lat, failures = measure(duration)
report("readers", lat, failures, f" ({len(held)} attacking connections opened)")
for s in held:
    s.close()
time.sleep(1)

print("phase deep: 4 clients asking json.php for offset 99 000, 1 000 rows, every field, again and again")
stop = threading.Event()
deep = {"done": 0, "ms": []}
def deep_client():
    path = "/json.php?mode=modified&timefirst=1970-01-01&limit1=99000&limit2=1000&fields=*"
    while not stop.is_set():
        try:
            status, ms = timed_get(path)
            deep["done"] += 1
            deep["ms"].append(ms)
        except OSError:
            pass
threads = [threading.Thread(target=deep_client) for _ in range(4)]
for t in threads:
    t.start()
time.sleep(1)
lat, failures = measure(duration)
stop.set()
for t in threads:
    t.join()
report("deep", lat, failures, f" ({deep['done']} deep answers, median {statistics.median(deep['ms']) if deep['ms'] else 0:.0f} ms each)")
EOF
