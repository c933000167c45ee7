#!/usr/bin/env bash
# Decode speed of the MyISAM reader (issue 16), beside baselines, in one command:
#
#     FILES=2000000 bash bench/myisam.sh
#
# 1. writes a synthetic libgen_new snapshot of FILES files and 1.5 × FILES editions
#    (examples/gen_snapshot.rs; reused if already there) and prints how fast it was written;
# 2. examples/bench_myisam.rs on `files` and `editions`: a plain sequential read of the .MYD
#    (I/O baseline) and our decoding (rows, all values, the importer's columns, owned rows),
#    one thread, page cache warm;
# 3. if MariaDB is installed (or SKIP_MARIADB unset and apt can install it): a private server
#    (socket in a temporary folder, no network) opens the same files (keys built first with
#    `myisamchk -rq`, which also reads every row), checks them (`CHECK TABLE … EXTENDED`), and
#    - checks that `SELECT * INTO OUTFILE` of each table is byte for byte what our reader
#      prints (examples/myisam_dump.rs): MariaDB reads the generated files as we do;
#    - times a full scan (`SUM(LENGTH(...))` of a column no index holds) and the OUTFILE: the
#      baseline of what MariaDB itself does with these rows;
#    - then edits `files` (deletes, updates that grow rows, inserts into the holes) so that rows
#      split into linked parts, checks our reader against MariaDB again (same rows; a split row
#      comes out when its last part is read) and times it with 64 MiB and with 1 MiB of memory
#      for waiting parts (the rest goes to a temporary file).
# Output: bench/out/myisam-FILES.txt.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
FILES=${FILES:-1000000}
SNAP=${SNAP:-$OUT/snapshot-$FILES}
REPORT=$OUT/myisam-$FILES.txt
T=${CARGO_TARGET_DIR:-target}/release/examples
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet --example gen_snapshot --example bench_myisam --example myisam_dump
{
echo "== machine: $(nproc) cores, $(uname -r); $(date -u +%F)"
if [ ! -s "$SNAP/files.MYD" ]; then
  echo "== writing the snapshot ($FILES files)"
  "$T/gen_snapshot" "$SNAP" --files "$FILES"
fi
echo "== decoding (one thread)"
"$T/bench_myisam" "$SNAP" files editions

if ! command -v mariadbd >/dev/null && [ -z "${SKIP_MARIADB:-}" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server >/dev/null
fi
if command -v mariadbd >/dev/null && [ -z "${SKIP_MARIADB:-}" ]; then
  DIR=$(mktemp -d /tmp/lanshelf-myisam-bench.XXXXXX)
  trap 'mariadb-admin --no-defaults --socket="$DIR/sock" -uroot shutdown 2>/dev/null || true
    for _ in $(seq 1 120); do kill -0 "${SERVER:-0}" 2>/dev/null || break; sleep 0.5; done; rm -rf "$DIR"' EXIT
  mariadb-install-db --no-defaults --user=root --datadir="$DIR/data" --auth-root-authentication-method=normal >/dev/null
  mariadbd --no-defaults --user=root --datadir="$DIR/data" --socket="$DIR/sock" --skip-networking \
    --secure-file-priv="$DIR" --key-buffer-size=256M --myisam-sort-buffer-size=256M >"$DIR/log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 60); do [ -S "$DIR/sock" ] && break; sleep 0.5; done
  sql() { mariadb --no-defaults --socket="$DIR/sock" -uroot --default-character-set=utf8mb4 "$@"; }
  sql -e "CREATE DATABASE snap"
  for t in files editions; do cp "$SNAP/$t.frm" "$SNAP/$t.MYD" "$SNAP/$t.MYI" "$DIR/data/snap/"; done
  echo "== MariaDB $(mariadbd --version | awk '{print $3}') on the same files"
  start=$(date +%s.%N)
  myisamchk --silent -rq --sort-recover "$DIR/data/snap/files.MYI" "$DIR/data/snap/editions.MYI"
  echo "myisamchk -rq (keys of files and editions): $(echo "$(date +%s.%N) - $start" | bc) s"
  sql -e "FLUSH TABLES"
  sql snap -e "CHECK TABLE files EXTENDED; CHECK TABLE editions EXTENDED" | grep -v '^Table'
  for spec in "files locator" "editions author"; do
    set -- $spec
    rows=$(sql -N snap -e "SELECT COUNT(*) FROM $1")
    start=$(date +%s.%N)
    sql -N snap -e "SELECT SUM(LENGTH($2)) FROM $1" >/dev/null
    s=$(echo "$(date +%s.%N) - $start" | bc)
    printf '%-18s %-8s %12s %10.3f %10.2f M  (MariaDB: full scan, SUM(LENGTH(%s)))\n' "$1" scan "$rows" "$s" "$(echo "$rows / $s / 1000000" | bc -l)" "$2"
    start=$(date +%s.%N)
    sql snap -e "SET time_zone = '+00:00'; SELECT * FROM $1 INTO OUTFILE '$DIR/$1.tsv'"
    s=$(echo "$(date +%s.%N) - $start" | bc)
    printf '%-18s %-8s %12s %10.3f %10.2f M  (MariaDB: SELECT * INTO OUTFILE)\n' "$1" outfile "$rows" "$s" "$(echo "$rows / $s / 1000000" | bc -l)"
    start=$(date +%s.%N)
    "$T/myisam_dump" "$SNAP" "$1" >"$DIR/$1.ours.tsv" 2>/dev/null
    s=$(echo "$(date +%s.%N) - $start" | bc)
    printf '%-18s %-8s %12s %10.3f %10.2f M  (ours: myisam_dump, the same text)\n' "$1" dump "$rows" "$s" "$(echo "$rows / $s / 1000000" | bc -l)"
    if cmp -s "$DIR/$1.tsv" "$DIR/$1.ours.tsv"; then
      echo "$1: MariaDB's OUTFILE and our reader's output are identical ($(stat -c %s "$DIR/$1.tsv") bytes)"
    else
      echo "$1: MariaDB's OUTFILE and our reader's output DIFFER"; cmp "$DIR/$1.tsv" "$DIR/$1.ours.tsv" | head -3
      exit 1
    fi
    rm -f "$DIR/$1.tsv" "$DIR/$1.ours.tsv"
  done
  # Split rows: MariaDB deletes 10 % of the files, grows a third of them past their blocks,
  # refills the holes and grows a seventh again: rows split into parts ahead of and behind
  # their first block, as years of edits leave a real table.
  echo "== split rows: files after DELETE / UPDATE / INSERT by MariaDB"
  start=$(date +%s.%N)
  sql snap -e "DELETE FROM files WHERE f_id % 10 = 0;
    UPDATE files SET commentary = REPEAT('grown ', 40) WHERE f_id % 3 = 0;
    INSERT INTO files (md5, time_added, time_last_modified, libgen_topic, locator)
      SELECT MD5(seq + 1000000000), '2026-01-01', '2026-01-01', 'l', REPEAT('refill ', 10)
      FROM seq_1_to_$((FILES / 10));
    UPDATE files SET cover_info = REPEAT('again ', 30) WHERE f_id % 7 = 1;
    FLUSH TABLES"
  echo "MariaDB's edits: $(echo "$(date +%s.%N) - $start" | bc) s"
  sql snap -e "SET time_zone = '+00:00'; SELECT * FROM files INTO OUTFILE '$DIR/files.tsv'"
  "$T/myisam_dump" "$DIR/data/snap" files >"$DIR/files.ours.tsv" 2>"$DIR/stats"
  cut -c1-400 "$DIR/stats"
  if cmp -s <(sort "$DIR/files.tsv") <(sort "$DIR/files.ours.tsv"); then
    echo "files (split rows): MariaDB's OUTFILE and our reader's output hold the same rows"
  else
    echo "files (split rows): MariaDB's OUTFILE and our reader's output DIFFER"; exit 1
  fi
  rm -f "$DIR/files.tsv" "$DIR/files.ours.tsv"
  for memory in 67108864 1048576; do
    echo "-- fragment memory $memory bytes"
    FRAGMENT_MEMORY=$memory "$T/bench_myisam" "$DIR/data/snap" files
  done
fi
} 2>&1 | tee "$REPORT"
