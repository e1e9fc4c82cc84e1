#!/usr/bin/env bash
# Runs every fuzz target (or those named) for FUZZ_SECONDS each, one at a time, and fails
# on the first crash, leak, timeout or out-of-memory. New inputs go to a scratch corpus
# under the target directory; the committed seeds in fuzz/corpus/<target> are read only.
#
#   fuzz/run.sh                                     # every target, FUZZ_SECONDS (20) each
#   FUZZ_SECONDS=3600 fuzz/run.sh snapshot_text     # one target for an hour
#   FUZZ_TIMEOUT=10 ...                             # per-input limit (s) for low-priority runs
#
# A crash leaves its input in fuzz/artifacts/<target>/; reproduce it with
#   (cd fuzz && cargo +nightly fuzz run <target> artifacts/<target>/<file>)
set -euo pipefail
cd "$(dirname "$0")"

seconds=${FUZZ_SECONDS:-20}
# Wall-clock limit per input. 1 s is far above a real answer (microseconds); a long run that
# shares the machine at low priority may go unscheduled for longer, so give it more.
per_input=${FUZZ_TIMEOUT:-1}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
rustup toolchain list | grep -q '^nightly' || { echo "fuzzing needs the nightly toolchain (rustup toolchain install nightly)" >&2; exit 1; }
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$(pwd)/../target}/fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
scratch=$CARGO_TARGET_DIR/corpus

# The default build keeps debug assertions on: the graph's invariants are debug_asserts.
cargo +nightly fuzz build
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t" "corpus/$t"
  case $t in
    snapshot_*|admission|review|watch_event|server_decode|kubeconfig) max_len=16384 ;;
    *) max_len=4096 ;;
  esac
  echo "== fuzz $t (${seconds}s)"
  log=$scratch/$t.log
  # -timeout: no input may take FUZZ_TIMEOUT seconds (answers take microseconds); -rss_limit_mb and
  # -malloc_limit_mb: bounded memory whatever the input.
  if ! cargo +nightly fuzz run "$t" "$scratch/$t" "corpus/$t" -- \
    -max_total_time="$seconds" -timeout="$per_input" -rss_limit_mb=1024 -malloc_limit_mb=512 -max_len="$max_len" \
    -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "fuzz target $t failed; the input is in fuzz/artifacts/$t/" >&2
    # CI keeps only the log: print the failing inputs so they can be replayed elsewhere
    # (base64 -d > file; cargo +nightly fuzz run $t file).
    for a in "artifacts/$t"/*; do
      [ -f "$a" ] || continue
      echo "== $a ($(wc -c <"$a") bytes, base64 of the first 4096):" >&2
      head -c 4096 "$a" | base64 -w 0 >&2
      echo >&2
    done
    exit 1
  fi
  grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$log" | tr '\n' ' '
  echo
done
echo "fuzzing done: ${#targets[@]} targets, ${seconds}s each"
