#!/usr/bin/env bash
# Batch look-up benchmark (issue 20): 10 000 identifiers (MD5s, DOIs, ISBNs, PubMed ids, a
# fifth absent) answered by the bulk look-up in-process and over HTTP (`POST
# /api/lookup/batch`), beside the same identifiers asked one at a time through `/api/lookup`'s
# path, on the full-scale catalog of bench/scale.sh (3.4 M sci-tech + 2.5 M fiction + 10 M
# papers = 15.9 M records).
#   bash bench/lookup.sh                  full size: the dumps are generated into pipes and
#                                         imported as they are written (no dump files: about
#                                         10 GB of disk for the catalog and index, 4 GB more
#                                         for the write-ahead log during the import)
#   bash bench/lookup.sh --fraction 0.1   a fraction of the sizes
#   DB=… IDX=… bash bench/lookup.sh       an existing catalog and index (bench/scale.sh --keep)
# Environment: N (10000), ROUNDS (5), BASELINE (1: also one at a time), OUT (bench/out).
source "$(dirname "$0")/common.sh"
FRACTION=1
while [ $# -gt 0 ]; do
  case "$1" in
    --small) FRACTION=0.01 ;;
    --fraction) FRACTION=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
N=${N:-10000} ROUNDS=${ROUNDS:-5}
W="$OUT/lookup-$FRACTION"; mkdir -p "$W"
build
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet --example bench_lookup
cp "$BIN" "$W/lanshelf"; cp "${CARGO_TARGET_DIR:-target}/release/examples/bench_lookup" "$W/bench_lookup"
BIN="$W/lanshelf"

if [ -z "${DB:-}" ]; then
  DB="$W/catalog.sqlite" IDX="$W/index"
  if [ ! -s "$DB" ] || [ ! -f "$IDX/CURRENT" ]; then
    rm -rf "$DB" "$DB"-wal "$DB"-shm "$DB".importing "$IDX"
    rows() { echo "$1 * $FRACTION / 1" | bc; }
    NL=$(rows 3400000) NF=$(rows 2500000) NS=$(rows 10000000)
    echo "== generating and importing $NS papers, $NL sci-tech, $NF fiction (seed 7, as bench/scale.sh)" >&2
    # Each dump goes straight from the generator into the import through a pipe (the reader
    # takes standard input; a path must be seekable): no dump file on disk. Papers first, into a
    # fresh catalog (no write-ahead log); the others then through the log, as any later import.
    for c in "scimag $NS" "libgen $NL" "fiction $NF"; do
      set -- $c
      timed sh -c "'$BIN' gen-dump --collection $1 --rows $2 --seed 7 --out - 2>/dev/null | '$BIN' --db '$DB' --index '$IDX' import --no-index -"
      echo "import of $2 $1 rows: ${SECS} s, peak ${RSS_MB} MB" >&2
    done
    timed "$BIN" --db "$DB" --index "$IDX" index --memory-mib "${MEMORY_MIB:-512}"
    echo "index: ${SECS} s, peak ${RSS_MB} MB" >&2
  fi
fi

echo "== in-process" >&2
BASE_FLAG=(); [ "${BASELINE:-1}" = 1 ] || BASE_FLAG=(--no-baseline)
"$W/bench_lookup" "$DB" "$IDX" "$N" "$ROUNDS" "${BASE_FLAG[@]}" --list="$W/list.txt" | tee "$W/inprocess.out"

echo "== over HTTP: POST /api/lookup/batch (the same identifiers)" >&2
PORT=${PORT:-18089}
"$BIN" --db "$DB" --index "$IDX" serve --addr "127.0.0.1:$PORT" > "$W/serve.log" 2>&1 &
SPID=$!
trap 'kill $SPID 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
for r in $(seq 1 "$ROUNDS"); do
  curl -s --compressed -o "$W/answer.json" -w "  round $r: %{time_total} s, HTTP %{http_code}, %{size_download} bytes (gzip)\n" \
    -H 'Content-Type: text/plain' --data-binary @"$W/list.txt" "http://127.0.0.1:$PORT/api/lookup/batch"
done | tee "$W/http.out"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('  items', d['items'], 'found', d['found'], 'server took_ms', d['took_ms'])" "$W/answer.json" | tee -a "$W/http.out"
for f in csv bibtex ris magnets; do
  curl -s --compressed -o "$W/answer.$f" -w "  format=$f: %{time_total} s, HTTP %{http_code}, %{size_download} bytes (gzip)\n" \
    -H 'Content-Type: text/plain' --data-binary @"$W/list.txt" "http://127.0.0.1:$PORT/api/lookup/batch?format=$f"
done | tee -a "$W/http.out"
