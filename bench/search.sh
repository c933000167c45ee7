#!/usr/bin/env bash
# Search benchmark (issue 3): builds a catalog of ROWS generated records (40 % sci-tech, 30 %
# fiction, 30 % papers), times the index build (docs/s, bytes per record, peak memory), then runs a
# fixed mixed query set in-process against the index and, as the baseline in the same run, against
# SQLite FTS5 over the same catalog (examples/bench_queries.rs).
#   ROWS=1000000 bash bench/search.sh
source "$(dirname "$0")/common.sh"
ROWS=${ROWS:-1000000}
build
cargo build --release --quiet --example bench_queries
L=$(gen libgen $((ROWS * 4 / 10)) 1)
F=$(gen fiction $((ROWS * 3 / 10)) 1)
S=$(gen scimag $((ROWS * 3 / 10)) 1)
DB="$OUT/search-bench.sqlite"; IDX="$OUT/search-bench-index"
if [ ! -s "$DB" ] || [ "${REIMPORT:-0}" = 1 ]; then
  rm -rf "$DB" "$DB"-wal "$DB"-shm "$IDX"
  timed "$BIN" --db "$DB" --index "$IDX" import --no-index "$L" "$F" "$S"
  echo "import: $SECS s, peak $RSS_MB MB"
fi
MEM=${MEMORY_MIB:-256}
timed "$BIN" --db "$DB" --index "$IDX" index --memory-mib "$MEM"
cat "$OUT/last.out"
echo "index build: $SECS s wall, peak $RSS_MB MB (writer budget $MEM MiB)"
"${CARGO_TARGET_DIR:-target}"/release/examples/bench_queries "$DB" "$IDX" "${ROUNDS:-3}"
