#!/usr/bin/env bash
# Baseline: restore a dump into a throwaway MariaDB server (Debian's mariadb-server, on a socket in
# a temporary folder, no network), the way mirror operators run the libgen dumps today.
#   bash bench/mariadb.sh restore DUMP...   prints `restore_seconds N` and `data_bytes N`
set -euo pipefail
command -v mariadbd >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server >/dev/null; }
MYSQLD=$(command -v mariadbd || echo /usr/sbin/mariadbd)
DIR=$(mktemp -d /tmp/lanshelf-maria.XXXXXX)
trap 'mariadb-admin --socket="$DIR/sock" -uroot shutdown 2>/dev/null || true; sleep 1; rm -rf "$DIR"' EXIT
mariadb-install-db --no-defaults --user=root --datadir="$DIR/data" --auth-root-authentication-method=normal >/dev/null
"$MYSQLD" --no-defaults --user=root --datadir="$DIR/data" --socket="$DIR/sock" --skip-networking \
  --key-buffer-size=256M --myisam-sort-buffer-size=256M --innodb-buffer-pool-size=256M >"$DIR/log" 2>&1 &
for _ in $(seq 1 60); do [ -S "$DIR/sock" ] && break; sleep 0.5; done
cmd=$1; shift
case "$cmd" in
  restore)
    mariadb --socket="$DIR/sock" -uroot -e "CREATE DATABASE bench"
    start=$(date +%s.%N)
    for f in "$@"; do mariadb --socket="$DIR/sock" -uroot bench < "$f"; done
    end=$(date +%s.%N)
    echo "restore_seconds $(echo "$end - $start" | bc)"
    echo "data_bytes $(du -sb "$DIR/data/bench" | cut -f1)"
    ;;
  *) echo "usage: $0 restore DUMP..." >&2; exit 2 ;;
esac
