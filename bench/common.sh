# Shared helpers for the bench scripts (sourced).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
BIN=${CARGO_TARGET_DIR:-target}/release/lanshelf
# `lanshelf serve` refuses to run as root unless told (bench machines often run as root).
export LANSHELF_ALLOW_ROOT=${LANSHELF_ALLOW_ROOT:-1}
build() { [ -n "${NO_BUILD:-}" ] || cargo build --release --quiet --bin lanshelf "$@"; }
# Runs a command under /usr/bin/time -v; sets SECS (wall), CPU (user + system s) and RSS_MB
# (peak resident set: heap and mapped files together), and, sampled from /proc five times a
# second, ANON_MB and FILE_MB: the peaks of its anonymous memory (heap: what a memory limit cannot
# take back) and of its mapped file pages (the index and catalog files: clean page cache the
# kernel drops under pressure). With LIMIT_MIB set (and a writable memory cgroup: root), the
# command runs under that memory limit, as in a container with `mem_limit`, and CG_MB is the
# cgroup's peak (heap, mapped files and page cache it caused).
timed() {
  local log; log=$(mktemp)
  local rc=0 cg="" anon=0 file=0
  if [ -n "${LIMIT_MIB:-}" ]; then
    cg=$(memory_cgroup "$LIMIT_MIB") || cg=""
    [ -n "$cg" ] || echo "LIMIT_MIB: no writable memory cgroup here (needs root); running without a limit" >&2
  fi
  if [ -n "$cg" ]; then
    sh -c 'echo $$ > "$0/cgroup.procs"; exec "$@"' "$cg" /usr/bin/time -v "$@" 2> >(tee "$log" >&2) > "$OUT/last.out" &
  else
    /usr/bin/time -v "$@" 2> >(tee "$log" >&2) > "$OUT/last.out" &
  fi
  local tpid=$!
  while kill -0 "$tpid" 2>/dev/null; do
    # The command is the deepest process under the job (time, then the command beside the
    # `tee` of the process substitution).
    local child="$tpid" next c
    while :; do
      next=""
      for c in $(pgrep -P "$child" || true); do
        [ "$(cat "/proc/$c/comm" 2>/dev/null)" = tee ] || next=$c
      done
      [ -n "$next" ] || break
      child=$next
    done
    if [ -n "$child" ] && [ -r "/proc/$child/status" ]; then
      read -r a f < <(awk '/^RssAnon/ {a=$2} /^RssFile/ {f=$2} END {print a+0, f+0}' "/proc/$child/status" 2>/dev/null || echo "0 0")
      [ "${a:-0}" -gt "$anon" ] && anon=$a
      [ "${f:-0}" -gt "$file" ] && file=$f
    fi
    sleep 0.2
  done
  wait "$tpid" || rc=$?
  # The `tee` runs on after the command: wait for time's last line, or the figures may not be
  # written yet.
  for _ in $(seq 200); do grep -q 'Exit status' "$log" && break; sleep 0.05; done
  CG_MB=""
  if [ -n "$cg" ]; then
    CG_MB=$(awk '{printf "%.0f", $1/1048576}' "$cg/memory.max_usage_in_bytes" 2>/dev/null || awk '{printf "%.0f", $1/1048576}' "$cg/memory.peak" 2>/dev/null || true)
    rmdir "$cg" 2>/dev/null || true
  fi
  [ "$rc" = 0 ] || { rm -f "$log"; return "$rc"; }
  SECS=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$log")
  RSS_MB=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$log")
  CPU=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$log")
  ANON_MB=$(( anon / 1024 )) FILE_MB=$(( file / 1024 ))
  rm -f "$log"
}
# Makes a memory cgroup limited to $1 MiB (cgroup v2, else v1) and prints its folder; fails if
# none can be made (not root, no memory controller).
memory_cgroup() {
  local name="lanshelf-bench-$$-$RANDOM" bytes=$(( $1 * 1048576 ))
  if [ -w /sys/fs/cgroup/cgroup.subtree_control ] && grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
    local d="/sys/fs/cgroup/$name"
    mkdir "$d" 2>/dev/null && echo "$bytes" > "$d/memory.max" || return 1
    echo 0 > "$d/memory.swap.max" 2>/dev/null || true
    echo "$d"; return 0
  fi
  if [ -d /sys/fs/cgroup/memory ] && mkdir "/sys/fs/cgroup/memory/$name" 2>/dev/null; then
    echo "$bytes" > "/sys/fs/cgroup/memory/$name/memory.limit_in_bytes" || return 1
    echo "/sys/fs/cgroup/memory/$name"; return 0
  fi
  return 1
}
gen() { # collection rows seed -> path
  local f="$OUT/$1-$2-s$3.sql"
  [ -s "$f" ] || "$BIN" gen-dump --collection "$1" --rows "$2" --seed "$3" --out "$f" >&2
  echo "$f"
}
mb() { echo "scale=1; $(stat -c %s "$1") / 1000000" | bc; }
