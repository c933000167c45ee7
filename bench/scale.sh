#!/usr/bin/env bash
# Scale benchmark (issue 7): generates dumps of 3.4 M sci-tech, 2.5 M fiction and 10 M scimag
# rows, imports and indexes them, runs the fixed mixed query set (examples/bench_queries.rs) and
# an HTTP load (wrk), then, on the same dumps and queries in the same run, restores them into
# MariaDB and queries its FULLTEXT indexes in boolean mode as libgen's search.php does, and builds
# and queries SQLite FTS5 over the same catalog. Prints one table (Markdown).
#   bash bench/scale.sh            full size (about 45–60 min on the 2-core machine)
#   bash bench/scale.sh --small    1/100 of the sizes (a couple of minutes)
#   bash bench/scale.sh --fraction 0.3   any fraction of the full sizes (growth curve)
# Options: --no-mariadb, --no-fts, --keep (keep dumps, catalog and index); environment:
# MEMORY_MIB (index writer budget, 512), ROUNDS (3), BASELINE_CAP (distinct baseline queries per
# class, 16), DURATION (wrk, 30s), OUT (bench/out).
source "$(dirname "$0")/common.sh"
FRACTION=1 MARIADB=1 FTS=1 KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --small) FRACTION=0.01 ;;
    --fraction) FRACTION=$2; shift ;;
    --no-mariadb) MARIADB=0 ;;
    --no-fts) FTS=0 ;;
    --keep) KEEP=1 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
rows() { echo "$1 * $FRACTION / 1" | bc; }
NL=$(rows 3400000) NF=$(rows 2500000) NS=$(rows 10000000)
MAIN=$((NL + NF + NS))
W="$OUT/scale-$FRACTION"; mkdir -p "$W"
export OUT="$W"
LOG="$W/phases.log"; : > "$LOG"
note() { echo "== $(date -u +%H:%M:%S) $*" | tee -a "$LOG" >&2; }

note "build"
build
cargo build --release --quiet --example bench_queries
# Private copies: the target folder may be rebuilt by someone else during a long run.
cp "$BIN" "$W/lanshelf"; cp "${CARGO_TARGET_DIR:-target}/release/examples/bench_queries" "$W/bench_queries"
BIN="$W/lanshelf" QBIN="$W/bench_queries"

note "generate $NL sci-tech, $NF fiction, $NS scimag rows"
t0=$(date +%s.%N)
L=$(gen libgen "$NL" 7) F=$(gen fiction "$NF" 7) S=$(gen scimag "$NS" 7)
GEN_S=$(echo "$(date +%s.%N) - $t0" | bc)
DUMP_BYTES=$(( $(stat -c %s "$L") + $(stat -c %s "$F") + $(stat -c %s "$S") ))
sync

DB="$W/catalog.sqlite" IDX="$W/index"
rm -rf "$DB" "$DB"-wal "$DB"-shm "$IDX"
note "import"
timed "$BIN" --db "$DB" --index "$IDX" import --no-index "$L" "$F" "$S"
cat "$OUT/last.out" >> "$LOG"
IMPORT_S=$SECS IMPORT_RSS=$RSS_MB
ALL_ROWS=$(awk '/^  / && $2 ~ /^[0-9]+$/ {s+=$2} END {print s}' "$OUT/last.out")
note "index"
timed "$BIN" --db "$DB" --index "$IDX" index --memory-mib "${MEMORY_MIB:-512}"
cat "$OUT/last.out" >> "$LOG"
INDEX_S=$SECS INDEX_RSS=$RSS_MB
DOCS=$(awk '/^indexed/ {print $2}' "$OUT/last.out")
CAT_BYTES=$(du -cb "$DB"* | tail -1 | cut -f1)
IDX_BYTES=$(du -sb "$IDX" | cut -f1)

note "queries (ours, then SQLite FTS5)"
QTSV="$W/queries.tsv" MSQL="$W/mariadb-queries.sql"; rm -f "$QTSV"
FTS_FLAG=(); [ "$FTS" = 1 ] || FTS_FLAG=(--no-fts)
timed "$QBIN" "$DB" "$IDX" "${ROUNDS:-3}" --baseline-rounds 0 --baseline-cap "${BASELINE_CAP:-16}" \
  --mariadb-script "$MSQL" --tsv "$QTSV" "${FTS_FLAG[@]}"
cat "$OUT/last.out" | tee -a "$LOG" >&2
QUERY_RSS=$RSS_MB

note "HTTP load"
PORT=${PORT:-18087}
"$BIN" --db "$DB" --index "$IDX" serve --addr "127.0.0.1:$PORT" > "$W/serve.log" 2>&1 &
SPID=$!
trap 'kill $SPID 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
SERVE_START_MB=$(awk '/VmRSS/ {print int($2/1024)}' "/proc/$SPID/status")
wrk -t 2 -c "${CONNECTIONS:-16}" -d "${DURATION:-30s}" --latency -s bench/load.lua "http://127.0.0.1:$PORT" > "$W/wrk.out"
cat "$W/wrk.out" >> "$LOG"
SERVE_PEAK_MB=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$SPID/status")
kill "$SPID"; wait "$SPID" 2>/dev/null || true
PAGES_S=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' "$W/wrk.out")
WRK_P50=$(awk '$1 == "50%" {print $2}' "$W/wrk.out")
WRK_P99=$(awk '$1 == "99%" {print $2}' "$W/wrk.out")

# Disk: the catalog and index are measured; free their space for MariaDB's data and sort files.
if [ "$KEEP" = 0 ]; then rm -rf "$DB" "$DB"-wal "$DB"-shm "$IDX"; fi
if [ "$MARIADB" = 1 ]; then
  note "MariaDB: restore the same dumps, then the same queries (FULLTEXT, boolean mode)"
  MTIMES="$W/mariadb-times.tsv"
  DELETE_RESTORED=$((1 - KEEP)) bash bench/mariadb.sh scale "$MSQL" "$MTIMES" "$L" "$F" "$S" | tee "$W/mariadb.out" >> "$LOG"
  MARIA_S=$(awk '/^restore_seconds/ {print $2}' "$W/mariadb.out")
  MARIA_BYTES=$(awk '/^data_bytes/ {print $2}' "$W/mariadb.out")
  MARIA_RSS=$(awk '/^server_peak_mb/ {print $2}' "$W/mariadb.out")
  # Per-class percentiles of the MariaDB times (same nearest-rank rule as bench_queries).
  sort -t$'\t' -k1,1 -k3,3n "$MTIMES" | awk -F'\t' '
    function flush() { if (n) { printf "mariadb\t%s\t%d\t%d\t%.3f\t%.3f\t%.3f\n", c, n, f, t[int((n-1)*0.5+0.5)]/1000, t[int((n-1)*0.95+0.5)]/1000, t[int((n-1)*0.99+0.5)]/1000 } }
    $1 != c { flush(); c = $1; n = 0; f = 0 }
    { t[n++] = $3; if ($2 != "NULL" && $2 > 0) f++ }
    END { flush() }' >> "$QTSV"
  sort -t$'\t' -k3,3n "$MTIMES" | awk -F'\t' '{ t[n++] = $3 }
    END { if (n) printf "mariadb\tall\t%d\t\t%.3f\t%.3f\t%.3f\n", n, t[int((n-1)*0.5+0.5)]/1000, t[int((n-1)*0.95+0.5)]/1000, t[int((n-1)*0.99+0.5)]/1000 }' >> "$QTSV"
fi
note "done"

# ---- the table ----
div() { awk -v a="$1" -v b="$2" -v d="${3:-1}" 'BEGIN { printf "%.*f", d, a / b }'; }
per() { echo "$1 / $MAIN" | bc; }
mbs() { echo "$1 / 1048576" | bc; }
OURS_S=$(echo "$IMPORT_S + $INDEX_S" | bc)
FTS_LINE=$(awk -F'\t' '$1 == "fts_build"' "$QTSV")
{
echo
echo "Scale benchmark, fraction $FRACTION: $NL sci-tech + $NF fiction + $NS scimag = $MAIN records"
echo "($ALL_ROWS rows in all tables), $(date -u +%Y-%m-%d), $(nproc) cores, load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| figure | Lanshelf | MariaDB 10.11 (MyISAM FULLTEXT) | SQLite FTS5 | Lanshelf vs MariaDB |"
echo "|---|---|---|---|---|"
echo "| dumps | $(mbs $DUMP_BYTES) MiB of SQL (generated in $(div "$GEN_S" 1) s) | same files | same catalog | |"
if [ "$MARIADB" = 1 ]; then
  echo "| import (all tables) | ${IMPORT_S} s, $(div "$ALL_ROWS" "$IMPORT_S" 0) rows/s, peak RSS ${IMPORT_RSS} MB | restore incl. FULLTEXT: $(div "$MARIA_S" 1) s, $(div "$ALL_ROWS" "$MARIA_S" 0) rows/s, server peak RSS ${MARIA_RSS} MB | | |"
else
  echo "| import (all tables) | ${IMPORT_S} s, $(div "$ALL_ROWS" "$IMPORT_S" 0) rows/s, peak RSS ${IMPORT_RSS} MB | – | | |"
fi
FTS_DOCS=$(echo "$FTS_LINE" | cut -f2) FTS_S=$(echo "$FTS_LINE" | cut -f3) FTS_BYTES=$(echo "$FTS_LINE" | cut -f4)
echo "| index | ${INDEX_S} s, $(div "$DOCS" "$INDEX_S" 0) docs/s, peak RSS ${INDEX_RSS} MB | (in the restore) | ${FTS_S:+$FTS_S s, $(div "$FTS_DOCS" "$FTS_S" 0) docs/s} | |"
if [ "$MARIADB" = 1 ]; then
  echo "| **import + index** | **${OURS_S} s** | **$(div "$MARIA_S" 1) s** | | **$(div "$MARIA_S" "$OURS_S") × faster** |"
  echo "| on disk | catalog $(mbs $CAT_BYTES) MiB ($(per $CAT_BYTES) B/record) + index $(mbs $IDX_BYTES) MiB ($(per $IDX_BYTES) B/record) = $(mbs $((CAT_BYTES + IDX_BYTES))) MiB | data files $(mbs $MARIA_BYTES) MiB ($(per $MARIA_BYTES) B/record) | ${FTS_BYTES:+FTS5 table $(mbs $FTS_BYTES) MiB ($(per $FTS_BYTES) B/record) + the catalog} | $(div $((CAT_BYTES + IDX_BYTES)) "$MARIA_BYTES" 2) × the size |"
else
  echo "| on disk | catalog $(mbs $CAT_BYTES) MiB ($(per $CAT_BYTES) B/record) + index $(mbs $IDX_BYTES) MiB ($(per $IDX_BYTES) B/record) | – | ${FTS_BYTES:+$(mbs $FTS_BYTES) MiB ($(per $FTS_BYTES) B/record) + the catalog} | |"
fi
awk -F'\t' -v maria="$MARIADB" '
  $1 == "fts_build" || $1 == "exhaustive" { next }
  { key = $1 SUBSEP $2; p50[key] = $5; p95[key] = $6; p99[key] = $7; n[key] = $3; f[key] = $4; if (!($2 in seen)) { seen[$2] = 1; order[k++] = $2 } }
  END {
    for (i = 0; i < k; i++) {
      c = order[i]; o = "ours" SUBSEP c; m = "mariadb" SUBSEP c; s = "fts5" SUBSEP c
      line = sprintf("| query p50 / p95 / p99, %s (ms) | %s / %s / %s", c, p50[o], p95[o], p99[o])
      if (c != "all") line = line sprintf(" (%s/%s found)", f[o], n[o])
      if (m in p50) line = line sprintf(" | %s / %s / %s", p50[m], p95[m], p99[m]) (c != "all" ? sprintf(" (%s/%s found)", f[m], n[m]) : "")
      else line = line " | –"
      if (s in p50) line = line sprintf(" | %s / %s / %s", p50[s], p95[s], p99[s]) (c != "all" ? sprintf(" (%s/%s found)", f[s], n[s]) : "")
      else line = line " | –"
      if ((m in p50) && p50[o] > 0) line = line sprintf(" | p50 %.2g ×, p99 %.2g × faster |", p50[m] / p50[o], p99[m] / p99[o])
      else line = line " | |"
      print line
    }
  }' "$QTSV"
# Our pages against scoring every match (the path before candidates), in the same process.
awk -F'\t' '
  $1 == "ours" { p99[$2] = $7 }
  $1 == "exhaustive" { line[k++] = $0 }
  END {
    for (i = 0; i < k; i++) {
      split(line[i], f, "\t")
      printf "| vs scoring every match, %s | same first hit %s/%s, page overlap %s %%, score share %s %%; exhaustive p50 / p95 / p99 %s / %s / %s ms | | | our p99 %.2g × faster |\n", f[2], f[4], f[3], f[8], f[9], f[5], f[6], f[7], (p99[f[2]] > 0 ? f[7] / p99[f[2]] : 0)
    }
  }' "$QTSV"
echo "| HTTP load (wrk, 2 threads, ${CONNECTIONS:-16} connections, ${DURATION:-30s}, full pages) | **${PAGES_S} pages/s**, latency p50 ${WRK_P50}, p99 ${WRK_P99}; serve RSS ${SERVE_START_MB} MB at start, **peak ${SERVE_PEAK_MB} MB** | | | |"
echo "| peak RSS of the query benchmark process (our engine + FTS5) | ${QUERY_RSS} MB | | | |"
} | tee "$W/table.md"

if [ "$KEEP" = 0 ]; then rm -f "$L" "$F" "$S"; fi
