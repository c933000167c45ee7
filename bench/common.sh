# Shared helpers for the bench scripts (sourced).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
BIN=${CARGO_TARGET_DIR:-target}/release/lanshelf
# `lanshelf serve` refuses to run as root unless told (bench machines often run as root).
export LANSHELF_ALLOW_ROOT=${LANSHELF_ALLOW_ROOT:-1}
build() { [ -n "${NO_BUILD:-}" ] || cargo build --release --quiet --bin lanshelf "$@"; }
# Runs a command under /usr/bin/time -v; sets SECS (wall), CPU (user + system s) and RSS_MB.
timed() {
  local log; log=$(mktemp)
  local rc=0
  /usr/bin/time -v "$@" 2> >(tee "$log" >&2) > "$OUT/last.out" || rc=$?
  # The `tee` runs on after the command: wait for time's last line, or the figures may not be
  # written yet.
  for _ in $(seq 200); do grep -q 'Exit status' "$log" && break; sleep 0.05; done
  [ "$rc" = 0 ] || { rm -f "$log"; return "$rc"; }
  SECS=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$log")
  RSS_MB=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$log")
  CPU=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$log")
  rm -f "$log"
}
gen() { # collection rows seed -> path
  local f="$OUT/$1-$2-s$3.sql"
  [ -s "$f" ] || "$BIN" gen-dump --collection "$1" --rows "$2" --seed "$3" --out "$f" >&2
  echo "$f"
}
mb() { echo "scale=1; $(stat -c %s "$1") / 1000000" | bc; }
