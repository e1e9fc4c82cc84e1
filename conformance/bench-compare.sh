#!/usr/bin/env bash
# Side-by-side benchmark of the Node authorizer: upstream k8s.io/kubernetes v1.37.2 (Go)
# against kauthz (Rust), on the data set of upstream's BenchmarkAuthorization.
#
#   bash conformance/bench-compare.sh [--benchtime-ms N] [--regen]
#
# Builds conformance/bin/benchnode (Go, -p 1) and the bench_node example (release),
# writes the data set once to $CARGO_TARGET_DIR (else target/)/bench-data/node-authz-bench.json (kept; --regen
# rewrites it), runs Go then Rust, and prints both tables, the Go/Rust ratios and a
# one-line summary. Results: the same bench-data/{go,rust}.json.
set -eu -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CONF="$ROOT/conformance"
DATA_DIR="${CARGO_TARGET_DIR:-$ROOT/target}/bench-data"
DATA="$DATA_DIR/node-authz-bench.json"
BENCHTIME_MS=1000
REGEN=0

while [ $# -gt 0 ]; do
  case "$1" in
    --benchtime-ms) BENCHTIME_MS="$2"; shift 2 ;;
    --regen) REGEN=1; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "bench-compare: unknown argument $1" >&2; exit 2 ;;
  esac
done

echo "bench-compare: building benchnode (Go) and bench_node (Rust, release)" >&2
mkdir -p "$CONF/bin" "$DATA_DIR"
(cd "$CONF" && GOFLAGS=-p=1 go build -p 1 -o "$CONF/bin/benchnode" ./cmd/benchnode)
(cd "$ROOT" && cargo build --release --locked -q -p kauthz --features sample --example bench_node)

if [ "$REGEN" = 1 ] || [ ! -s "$DATA" ]; then
  "$CONF/bin/benchnode" gen --out "$DATA"
fi

echo "bench-compare: running Go (upstream)" >&2
"$CONF/bin/benchnode" run --data "$DATA" --json --benchtime "${BENCHTIME_MS}ms" > "$DATA_DIR/go.json"
echo "bench-compare: running Rust (kauthz)" >&2
"${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/bench_node" --data "$DATA" --json --benchtime-ms "$BENCHTIME_MS" > "$DATA_DIR/rust.json"

echo
"$CONF/bin/benchnode" compare --go "$DATA_DIR/go.json" --rust "$DATA_DIR/rust.json"
