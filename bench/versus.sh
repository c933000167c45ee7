#!/usr/bin/env bash
# Query latency of this tree against an earlier revision, side by side on the same kept catalog:
# the earlier revision is built in a worktree of its own, indexes the same catalog with its own
# code, and both run the fixed mixed query set (examples/bench_queries.rs) in turn, PAIRS times;
# prints per query class the median over the runs of each one's p50, p95 and p99, and the ratio.
#   bash bench/scale.sh --no-mariadb --no-fts --keep     # once: keeps bench/out/scale-1
#   bash bench/versus.sh                                 # BASE=3a80a7c (session 3's table)
# Environment: BASE (revision, 3a80a7c: the code of docs/performance.md's session-3 table),
# DIR (a kept scale folder, bench/out/scale-1), PAIRS (3), ROUNDS (3), NO_BUILD.
# The query set is drawn from the catalog, so both see the same queries (a class the base does
# not have shows on our side only). Read the ratios: both run on the same machine in turn.
source "$(dirname "$0")/common.sh"
BASE=${BASE:-3a80a7c} PAIRS=${PAIRS:-3} ROUNDS=${ROUNDS:-3}
DIR=$(realpath "${DIR:-$OUT/scale-1}")
[ -f "$DIR/catalog.sqlite" ] && [ -d "$DIR/index" ] ||
  { echo "no kept catalog and index in $DIR: run bash bench/scale.sh --no-mariadb --no-fts --keep" >&2; exit 2; }
SRC="$(realpath -m "$OUT")/versus-$BASE" TGT="$(realpath -m "$OUT")/versus-$BASE-target"

if [ -z "${NO_BUILD:-}" ]; then
  cargo build --release --quiet --example bench_queries
fi
# A copy of our binary per checkout, so that two checkouts measuring at once keep their own.
OURS_BIN="$DIR/bench_queries.versus-$(basename "$PWD")"
cp "${CARGO_TARGET_DIR:-target}/release/examples/bench_queries" "$OURS_BIN"
if [ ! -x "$TGT/release/examples/bench_queries" ]; then
  [ -d "$SRC" ] || git worktree add --detach "$SRC" "$BASE" >&2
  (cd "$SRC" && CARGO_TARGET_DIR="$TGT" cargo build --release --quiet --bin lanshelf --example bench_queries)
fi
if [ ! -d "$DIR/index-$BASE" ]; then
  echo "== $(date -u +%H:%M:%S) indexing the catalog with $BASE" >&2
  "$TGT/release/lanshelf" --db "$DIR/catalog.sqlite" --index "$DIR/index-$BASE" index --memory-mib 512 >&2
fi

RES="$OUT/versus.out"; : > "$RES"
run() { # side binary index
  (cd "$DIR" && "$2" catalog.sqlite "$3" "$ROUNDS" --baseline-rounds 0 --no-fts 2>/dev/null) |
    awk -v side="$1" '/^class .*found/ {on=1; next} on && /^all/ {on=0} on && / \| / {print side "\t" $0}' >> "$RES"
}
for i in $(seq "$PAIRS"); do
  echo "== $(date -u +%H:%M:%S) pair $i of $PAIRS (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  run base "$TGT/release/examples/bench_queries" "index-$BASE"
  run ours "$OURS_BIN" index
done

echo
echo "Query latency, this tree ($(git rev-parse --short HEAD)$(git diff --quiet || echo '+changes')) against $BASE on $DIR, $PAIRS runs each in turn, $(date -u +%F), load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 - "$RES" <<'PY'
import collections, re, statistics, sys
runs = collections.defaultdict(lambda: collections.defaultdict(list))
for line in open(sys.argv[1]):
    side, row = line.rstrip("\n").split("\t", 1)
    m = re.match(r"(.+?)\s+\d+\s+\S+\s+\|\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+\|", row)
    if m:
        runs[m.group(1).strip()][side].append(tuple(float(m.group(i)) for i in (2, 3, 4)))
med = lambda xs, i: statistics.median(x[i] for x in xs)
print("| class | base p50 | ours p50 | ours ÷ base | base p95 | ours p95 | base p99 | ours p99 | ours ÷ base |")
print("|---|---|---|---|---|---|---|---|---|")
for cls in sorted(runs):
    b, o = runs[cls].get("base", []), runs[cls].get("ours", [])
    if not o:
        continue
    if not b:
        print(f"| {cls} | – | {med(o,0):.3f} | | – | {med(o,1):.3f} | – | {med(o,2):.3f} | |")
        continue
    print(f"| {cls} | {med(b,0):.3f} | {med(o,0):.3f} | **{med(o,0)/med(b,0):.2f}** | {med(b,1):.3f} | {med(o,1):.3f} | {med(b,2):.3f} | {med(o,2):.3f} | {med(o,2)/med(b,2):.2f} |")
print("\n(milliseconds, in-process, warm; medians over the runs of each side's per-class figures)")
PY
