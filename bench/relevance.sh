#!/usr/bin/env bash
# Relevance benchmark (issue 14): the real books of bench/known-items.tsv planted among ROWS
# generated sci-tech records, and the queries people type for them (exact title, a word cut short,
# other word forms, surname + title word, one typo, no diacritics), run against Lanshelf, SQLite
# FTS5 over the same catalog, and MariaDB FULLTEXT in boolean mode as libgen's search asks
# (`+word*`), restored from the same dump into a private server. Prints the share of known items
# in the first 10 results per kind of query (examples/bench_relevance.rs).
#   bash bench/relevance.sh                 300 000 records
#   ROWS=1000000 bash bench/relevance.sh
# Environment: ROWS, SEED (11), NO_MARIADB=1, MARIADB_PORT (3316), MARIADB_SOCKET (a socket in a
# private folder under /tmp), OUT (bench/out).
source "$(dirname "$0")/common.sh"
ROWS=${ROWS:-300000} SEED=${SEED:-11}
build
cargo build --release --quiet --example bench_relevance
EX=${CARGO_TARGET_DIR:-target}/release/examples/bench_relevance
W="$OUT/relevance-$ROWS"; mkdir -p "$W"
DUMP="$W/libgen-known-$ROWS-s$SEED.sql"
[ -s "$DUMP" ] || "$EX" write-dump bench/known-items.tsv "$ROWS" "$SEED" "$DUMP"
DB="$W/catalog.sqlite" IDX="$W/index"
rm -rf "$DB" "$DB"-wal "$DB"-shm "$IDX"
"$BIN" --db "$DB" --index "$IDX" import "$DUMP" > "$W/import.out"
tail -1 "$W/import.out"

MARIA=()
if [ "${NO_MARIADB:-0}" != 1 ]; then
  command -v mariadbd >/dev/null || command -v /usr/sbin/mariadbd >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server >/dev/null; }
  MYSQLD=$(command -v mariadbd || echo /usr/sbin/mariadbd)
  MDIR=$(mktemp -d /tmp/lanshelf-relevance-maria.XXXXXX)
  SOCK=${MARIADB_SOCKET:-$MDIR/sock}
  trap 'mariadb-admin --socket="$SOCK" -uroot shutdown 2>/dev/null || true
    for _ in $(seq 1 120); do kill -0 "${SERVER:-0}" 2>/dev/null || break; sleep 0.5; done; rm -rf "$MDIR"' EXIT
  mariadb-install-db --no-defaults --user=root --datadir="$MDIR/data" --auth-root-authentication-method=normal >/dev/null
  # Its own socket and port (another MariaDB may run on the machine), loopback only.
  "$MYSQLD" --no-defaults --user=root --datadir="$MDIR/data" --socket="$SOCK" \
    --port="${MARIADB_PORT:-3316}" --bind-address=127.0.0.1 --pid-file="$MDIR/pid" \
    --key-buffer-size=256M --myisam-sort-buffer-size=256M --tmpdir="$MDIR" > "$MDIR/log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 120); do [ -S "$SOCK" ] && break; sleep 0.5; done
  mariadb --socket="$SOCK" -uroot -e "CREATE DATABASE relevance"
  start=$(date +%s.%N)
  mariadb --socket="$SOCK" -uroot relevance < "$DUMP"
  echo "MariaDB restore: $(echo "$(date +%s.%N) - $start" | bc) s"
  MARIA=(--mariadb-socket "$SOCK" --mariadb-db relevance)
fi
"$EX" run "$DB" "$IDX" bench/known-items.tsv "${MARIA[@]}" | tee "$W/table.md"
