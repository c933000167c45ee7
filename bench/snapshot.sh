#!/usr/bin/env bash
# Import of the libgen.li snapshot (issue 16), in one command:
#
#     FILES=10000000 bash bench/snapshot.sh
#
# 1. writes a synthetic libgen_new snapshot of FILES files and 1.5 × FILES editions, all seven
#    topics (examples/gen_snapshot.rs; reused if already there);
# 2. decodes `files` and `editions` (examples/bench_myisam.rs, one thread): rows/s beside a
#    plain read of the same files;
# 3. `lanshelf import --no-index` of the snapshot folder into a new catalog, with the NAS
#    profile (LANSHELF_IMPORT_CACHE_MIB=64), under /usr/bin/time: seconds, records/s and peak
#    memory; then `lanshelf index` (LANSHELF_INDEX_MEMORY_MIB=256): seconds, docs/s, peak memory;
#    disk used by the catalog and the index. Both run under a memory limit of LIMIT_MIB (1024:
#    a 1 GB NAS, as `mem_limit: 1g` in compose; empty for none; needs root for the cgroup), and
#    the peak is given three ways: RSS (heap and mapped files), heap alone, the cgroup's;
# 4. the projection to the full 2026-09-06 snapshot (116 M files, 206 M editions, 253 M
#    details, 115 M links) on a 4-core NAS, from the measured rates (linear in rows; the index
#    build's threads scale with cores, the import's two threads do not).
# The catalog and index are deleted afterwards (KEEP=1 keeps them). Output: bench/out/snapshot-FILES.txt.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
FILES=${FILES:-1000000}
SNAP=${SNAP:-$OUT/snapshot-$FILES}
WORK=$OUT/snapshot-import-$FILES
REPORT=$OUT/snapshot-$FILES.txt
T=${CARGO_TARGET_DIR:-target}/release/examples
build
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet --example gen_snapshot --example bench_myisam
export LANSHELF_IMPORT_CACHE_MIB=${LANSHELF_IMPORT_CACHE_MIB:-64}
export LANSHELF_INDEX_MEMORY_MIB=${LANSHELF_INDEX_MEMORY_MIB:-256}
export LIMIT_MIB=${LIMIT_MIB-1024}
{
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +'%F %H:%M') UTC"
if [ ! -s "$SNAP/files.MYD" ]; then
  echo "== writing the snapshot ($FILES files)"
  "$T/gen_snapshot" "$SNAP" --files "$FILES"
fi
ROWS_FILES=$(( FILES ))
echo "snapshot: $(du -sb "$SNAP" | awk '{printf "%.1f GB", $1/1e9}') in $SNAP"
echo "== decoding (one thread)"
"$T/bench_myisam" "$SNAP" files editions
rm -rf "$WORK"; mkdir -p "$WORK"
DB="$WORK/catalog.sqlite"; IDX="$WORK/index"
echo "== import (NAS profile: page cache ${LANSHELF_IMPORT_CACHE_MIB} MiB)"
timed "$BIN" --db "$DB" --index "$IDX" import --no-index "$SNAP"; IMPORT_S=$SECS; IMPORT_RSS=$RSS_MB
IMPORT_MEM="$ANON_MB $FILE_MB ${CG_MB:--}"
cat "$OUT/last.out"
RECORDS=$(awk '/records in/ {for (i=1;i<=NF;i++) if ($(i+1)=="records" && $(i+2)=="in") print $i}' "$OUT/last.out" | head -1)
echo "== index (writer budget ${LANSHELF_INDEX_MEMORY_MIB} MiB)"
timed "$BIN" --db "$DB" --index "$IDX" index; INDEX_S=$SECS; INDEX_RSS=$RSS_MB
INDEX_MEM="$ANON_MB $FILE_MB ${CG_MB:--}"
cat "$OUT/last.out"
CAT_GB=$(du -sb "$DB" | awk '{printf "%.2f", $1/1e9}')
IDX_GB=$(du -sb "$IDX" | awk '{printf "%.2f", $1/1e9}')
echo
echo "peak memory in MB: RSS = heap + mapped files (each sampled at its own peak); cgroup = all the"
echo "memory charged to the run under its limit of ${LIMIT_MIB:-no} MiB, page cache included"
printf '%-34s %10s %14s %8s %8s %8s %8s\n' "step" "seconds" "per second" "RSS" "heap" "files" "cgroup"
# shellcheck disable=SC2086
printf '%-34s %10.1f %14.0f %8s %8s %8s %8s\n' "import ($RECORDS records)" "$IMPORT_S" "$(echo "$RECORDS / $IMPORT_S" | bc -l)" "$IMPORT_RSS" $IMPORT_MEM
# shellcheck disable=SC2086
printf '%-34s %10.1f %14.0f %8s %8s %8s %8s\n' "index ($RECORDS documents)" "$INDEX_S" "$(echo "$RECORDS / $INDEX_S" | bc -l)" "$INDEX_RSS" $INDEX_MEM
echo "catalog $CAT_GB GB, index $IDX_GB GB ($(awk -v c="$CAT_GB" -v i="$IDX_GB" -v r="$RECORDS" 'BEGIN {printf "%.0f", (c + i) * 1e9 / r}') bytes per record)"
# Projection: the full snapshot has 116.5 M files; the import's time grows with the rows read
# (files + editions + details + links: 690 M in the real snapshot, 4.6 × files there; here
# about 3.1 × files), the index's with the documents and with cores (2 here, 4 on the NAS).
REAL_ROWS=690000000
HERE_ROWS=$(( FILES * 31 / 10 ))
echo "projection to the full snapshot (116.5 M files, about 690 M rows to read) on a 4-core NAS:"
echo "  import: $(echo "$IMPORT_S * $REAL_ROWS / $HERE_ROWS / 60" | bc) min (two threads, as here)"
echo "  index:  $(echo "$INDEX_S * 116500000 / $RECORDS / 2 / 60" | bc) min (4 writer threads instead of 2)"
echo "  both:   $(echo "($IMPORT_S * $REAL_ROWS / $HERE_ROWS + $INDEX_S * 116500000 / $RECORDS / 2) / 60" | bc) min"
[ -n "${KEEP:-}" ] || rm -rf "$WORK"
} 2>&1 | tee "$REPORT"
