#!/usr/bin/env bash
# RAR input benchmark (issue 13): `lanshelf check` (read + parse, nothing written) of the same
# generated sci-tech dump as plain SQL, as a stored RAR 5 and a stored RAR 5 set of 3 volumes
# with CRC32 checksums (what `rar -m0` writes by default), as a stored RAR 5 with BLAKE2sp
# checksums (`rar -htb`) and as a compressed RAR 5 (examples/rar_pack.rs), and when RARLAB's
# `rar` is installed, compressed by it as the published archives are. Runs are interleaved (plain, stored, volumes, …, plain…) and the median of RUNS is
# printed with MB/s of SQL and the ratio to plain SQL, with the peak memory of each.
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
[ -s "$DIR/stored-crc.rar" ] || "$PACK" --store "$DIR/stored-crc.rar" "$DUMP"
[ -s "$DIR/volumes.part1.rar" ] || "$PACK" --store --volumes 3 "$DIR/volumes.rar" "$DUMP"
[ -s "$DIR/stored.rar" ] || "$PACK" --store --blake2 "$DIR/stored.rar" "$DUMP"
# Compressing takes the `rars` writer about 20 minutes a GB here: a tenth of the dump.
CDUMP=$(gen libgen "$(( ROWS / 10 ))" 1)
[ -s "$DIR/compressed.rar" ] || "$PACK" "$DIR/compressed.rar" "$CDUMP"

# With RARLAB's `rar` (Debian non-free: `apt-get install rar unrar`), the whole dump compressed
# as the published archives are (`rar a -m3`; RAR 7 writes RAR 5 only), and RARLAB's own
# `unrar p` of it (decoding only, no parsing) as a second baseline.
KINDS=(plain stored volumes blake2 cplain compressed)
if command -v rar >/dev/null && command -v unrar >/dev/null; then
  ln -sf "$(realpath "$DUMP")" "$DIR/libgen.sql"
  [ -s "$DIR/real-m3.rar" ] || (cd "$DIR" && rar a -m3 -ma5 -idq real-m3.rar libgen.sql)
  KINDS+=(real unrar)
fi
declare -A TIMES RSS CPUS
path() {
  case $1 in
    plain) echo "$DUMP" ;; stored) echo "$DIR/stored-crc.rar" ;;
    volumes) echo "$DIR/volumes.part1.rar" ;; blake2) echo "$DIR/stored.rar" ;;
    cplain) echo "$CDUMP" ;; compressed) echo "$DIR/compressed.rar" ;;
    real|unrar) echo "$DIR/real-m3.rar" ;;
  esac
}
for run in $(seq "$RUNS"); do
  for k in "${KINDS[@]}"; do
    if [ "$k" = unrar ]; then timed bash -c 'unrar p -inul "$1" | wc -c' _ "$(path "$k")"
    else timed "$BIN" check "$(path "$k")"; fi
    TIMES[$k]="${TIMES[$k]:-} $SECS"
    CPUS[$k]="${CPUS[$k]:-} $CPU"
    RSS[$k]=$(( ${RSS[$k]:-0} > RSS_MB ? ${RSS[$k]:-0} : RSS_MB ))
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
PLAIN=$(echo "${TIMES[plain]}" | median)
CPLAIN=$(echo "${TIMES[cplain]}" | median)
PLAIN_CPU=$(echo "${CPUS[plain]}" | median)
CPLAIN_CPU=$(echo "${CPUS[cplain]}" | median)
CSIZE=$(stat -c %s "$CDUMP")
echo
echo "dump: $DUMP, $(mb "$DUMP") MB of SQL ($ROWS books; the compressed case: $(mb "$CDUMP") MB);"
echo "medians of $RUNS interleaved runs; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "(CPU s: user + system of all threads; on a busy machine the wall-clock ratio also measures"
echo " how much the decoding thread got of the second core, the CPU ratio does not)"
printf '%-46s %9s %9s %8s %10s %8s %10s %8s\n' "lanshelf check of" "file MB" "seconds" "MB/s" "vs plain" "CPU s" "CPU ratio" "peak MB"
for k in "${KINDS[@]}"; do
  f=$(path "$k")
  if [ "$k" = volumes ]; then fmb=$(echo "scale=1; $(cat "$DIR"/volumes.part*.rar | wc -c) / 1000000" | bc); else fmb=$(mb "$f"); fi
  s=$(echo "${TIMES[$k]}" | median)
  c=$(echo "${CPUS[$k]}" | median)
  size=$SIZE; base=$PLAIN; cbase=$PLAIN_CPU
  case $k in
    plain) label="plain SQL (baseline)" ;;
    stored) label="stored RAR 5, CRC32 (rar -m0)" ;;
    volumes) label="stored RAR 5, CRC32, $(ls "$DIR"/volumes.part*.rar | wc -l) volumes" ;;
    blake2) label="stored RAR 5, BLAKE2sp (rar -m0 -htb)" ;;
    cplain) label="plain SQL, a tenth (baseline)"; size=$CSIZE; base=$CPLAIN; cbase=$CPLAIN_CPU ;;
    compressed) label="compressed RAR 5 of the tenth (rars writer)"; size=$CSIZE; base=$CPLAIN; cbase=$CPLAIN_CPU ;;
    real) label="RAR 5 by RARLAB rar -m3" ;;
    unrar) label="  RARLAB unrar p of it (decode only)" ;;
  esac
  printf '%-46s %9s %9.2f %8.0f %9.2fx %8.2f %9.2fx %8s\n' "$label" "$fmb" "$s" "$(echo "$size / 1000000 / $s" | bc -l)" "$(echo "$base / $s" | bc -l)" "$c" "$(echo "$cbase / $c" | bc -l)" "${RSS[$k]}"
done
