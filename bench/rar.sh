#!/usr/bin/env bash
# RAR input benchmark (issue 13): `lanshelf check` (read + parse, nothing written) of the same
# generated sci-tech dump as plain SQL, as a stored RAR 5, as a stored RAR 5 set of 3 volumes,
# and as a compressed RAR 5 (all RARs written by the `rars` writer: examples/rar_pack.rs; no
# `rar` program is in Debian). Runs are interleaved (plain, stored, volumes, compressed, plain…)
# and the median of RUNS is printed with MB/s of SQL and the ratio to plain SQL, with the peak
# memory of each.
#   ROWS=1000000 RUNS=3 bash bench/rar.sh
source "$(dirname "$0")/common.sh"
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-3}
build
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet --example rar_pack
PACK=${CARGO_TARGET_DIR:-target}/release/examples/rar_pack
DUMP=$(gen libgen "$ROWS" 1)
SIZE=$(stat -c %s "$DUMP")
DIR="$OUT/rar-$ROWS"
mkdir -p "$DIR"
[ -s "$DIR/stored.rar" ] || "$PACK" --store "$DIR/stored.rar" "$DUMP"
VOL_MIB=$(( SIZE / 3 / 1048576 + 1 ))
[ -s "$DIR/volumes.part1.rar" ] || "$PACK" --store --volume-mib "$VOL_MIB" "$DIR/volumes.rar" "$DUMP"
[ -s "$DIR/compressed.rar" ] || "$PACK" "$DIR/compressed.rar" "$DUMP"

declare -A TIMES RSS
KINDS=(plain stored volumes compressed)
path() {
  case $1 in
    plain) echo "$DUMP" ;; stored) echo "$DIR/stored.rar" ;;
    volumes) echo "$DIR/volumes.part1.rar" ;; compressed) echo "$DIR/compressed.rar" ;;
  esac
}
for run in $(seq "$RUNS"); do
  for k in "${KINDS[@]}"; do
    timed "$BIN" check "$(path "$k")"
    TIMES[$k]="${TIMES[$k]:-} $SECS"
    RSS[$k]=$(( ${RSS[$k]:-0} > RSS_MB ? ${RSS[$k]:-0} : RSS_MB ))
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
PLAIN=$(echo "${TIMES[plain]}" | median)
echo
echo "dump: $DUMP, $(mb "$DUMP") MB of SQL ($ROWS books); medians of $RUNS interleaved runs"
printf '%-40s %10s %9s %8s %10s %8s\n' "lanshelf check of" "file MB" "seconds" "MB/s" "vs plain" "peak MB"
for k in "${KINDS[@]}"; do
  f=$(path "$k")
  if [ "$k" = volumes ]; then fmb=$(echo "scale=1; $(cat "$DIR"/volumes.part*.rar | wc -c) / 1000000" | bc); else fmb=$(mb "$f"); fi
  s=$(echo "${TIMES[$k]}" | median)
  label=$k; [ "$k" = plain ] && label="plain SQL (baseline)"
  [ "$k" = stored ] && label="stored RAR 5"
  [ "$k" = volumes ] && label="stored RAR 5, 3 volumes ($(ls "$DIR"/volumes.part*.rar | wc -l) files)"
  [ "$k" = compressed ] && label="compressed RAR 5 (rars writer)"
  printf '%-40s %10s %9.2f %8.0f %9.2fx %8s\n' "$label" "$fmb" "$s" "$(echo "$SIZE / 1000000 / $s" | bc -l)" "$(echo "$PLAIN / $s" | bc -l)" "${RSS[$k]}"
done
