#!/usr/bin/env bash
# Import benchmark (issue 2): parse MB/s and import rows/s on a generated sci-tech dump, with the
# peak memory of each run, against baselines run in the same command: reading the file (`cat`),
# counting its lines (`wc -l`, a memchr-speed scan in C), and, with MARIADB=1, restoring the same
# dump into MariaDB (what mirror operators run today).
#   ROWS=1000000 bash bench/import.sh      (ROWS=5000000 for the 5 M check)
source "$(dirname "$0")/common.sh"
ROWS=${ROWS:-1000000}
build
DUMP=$(gen libgen "$ROWS" 1)
SIZE=$(stat -c %s "$DUMP")

timed sh -c "cat \"$DUMP\" > /dev/null"; CAT_S=$SECS
timed wc -l "$DUMP"; WC_S=$SECS
timed "$BIN" check "$DUMP"; CHECK_S=$SECS; CHECK_RSS=$RSS_MB
ALL_ROWS=$(awk '/^  / {s+=$2} END {print s}' "$OUT/last.out")
DB="$OUT/import-bench.sqlite"; rm -f "$DB" "$DB"-wal "$DB"-shm
timed "$BIN" --db "$DB" import --no-index "$DUMP"; IMPORT_S=$SECS; IMPORT_RSS=$RSS_MB
timed "$BIN" --db "$DB" import --no-index "$DUMP"; REIMPORT_S=$SECS; REIMPORT_RSS=$RSS_MB

if [ "${MARIADB:-0}" = 1 ]; then
  bash bench/mariadb.sh restore "$DUMP" > "$OUT/mariadb.out"
  MARIA_S=$(awk '/^restore_seconds/ {print $2}' "$OUT/mariadb.out")
fi

mbs() { echo "scale=0; $SIZE / 1000000 / $1" | bc; }
rps() { echo "scale=0; $ALL_ROWS / $1" | bc; }
echo
echo "dump: $DUMP, $(mb "$DUMP") MB, $ALL_ROWS rows in all tables ($ROWS books)"
printf '%-34s %9s %12s %12s %8s\n' "run" "seconds" "MB/s" "rows/s" "peak MB"
printf '%-34s %9.2f %12s %12s %8s\n' "baseline: cat (read only)" "$CAT_S" "$(mbs "$CAT_S")" "-" "-"
printf '%-34s %9.2f %12s %12s %8s\n' "baseline: wc -l (memchr scan)" "$WC_S" "$(mbs "$WC_S")" "-" "-"
printf '%-34s %9.2f %12s %12s %8s\n' "lanshelf check (parse only)" "$CHECK_S" "$(mbs "$CHECK_S")" "$(rps "$CHECK_S")" "$CHECK_RSS"
printf '%-34s %9.2f %12s %12s %8s\n' "lanshelf import (new catalog)" "$IMPORT_S" "$(mbs "$IMPORT_S")" "$(rps "$IMPORT_S")" "$IMPORT_RSS"
printf '%-34s %9.2f %12s %12s %8s\n' "lanshelf import again (upsert)" "$REIMPORT_S" "$(mbs "$REIMPORT_S")" "$(rps "$REIMPORT_S")" "$REIMPORT_RSS"
if [ -n "${MARIA_S:-}" ]; then
  printf '%-34s %9.2f %12s %12s %8s\n' "baseline: MariaDB restore" "$MARIA_S" "$(mbs "$MARIA_S")" "$(rps "$MARIA_S")" "-"
  echo "import vs MariaDB restore: $(echo "scale=1; $MARIA_S / $IMPORT_S" | bc)x faster"
fi
echo "parse speed vs wc -l: $(echo "scale=2; $WC_S / $CHECK_S" | bc)x"
