#!/usr/bin/env bash
# Self-test of the conformance harness: it must catch deliberately injected bugs.
#
#   bash conformance/selftest.sh [--seeds N] [--start S] [--mutant NAME]... [--no-build]
#
# Builds kauthz with `--features mutants` into target/mutants (its own target dir, so the
# normal release build is untouched), then runs conformance/run.sh against it once per
# mutant (KAUTHZ_MUTANT=<name>) and once with no mutant. Every mutant must produce
# differences; the unmutated build must produce none. One line per run; the exit status
# is 1 if a mutant survives, the baseline differs, or a run fails to report.
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SEEDS=20
START=1
BUILD=1
MUTANTS=()
# Every mutant the library declares (crates/kauthz-core/src/mutants.rs, `Variant => "name",`).
mapfile -t ALL_MUTANTS < <(grep -oP '^\s+[A-Z]\w* => "\K[a-z0-9-]+(?=",$)' "$ROOT/crates/kauthz-core/src/mutants.rs")
[ ${#ALL_MUTANTS[@]} -gt 0 ] || { echo "selftest: no mutants found in crates/kauthz-core/src/mutants.rs"; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) SEEDS="$2"; shift 2 ;;
    --start) START="$2"; shift 2 ;;
    --mutant) MUTANTS+=("$2"); shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "selftest: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ ${#MUTANTS[@]} -eq 0 ] && MUTANTS=("${ALL_MUTANTS[@]}")

TARGET="$ROOT/target/mutants"
BINARY="$TARGET/release/kauthz"
LOGS="$ROOT/conformance/out/selftest"
mkdir -p "$LOGS"

if [ "$BUILD" = 1 ]; then
  echo "selftest: building kauthz --features mutants into target/mutants" >&2
  (cd "$ROOT" && CARGO_TARGET_DIR="$TARGET" cargo build --release --locked -p kauthz --features mutants) \
    || { echo "selftest: cargo build failed"; exit 1; }
fi
[ -x "$BINARY" ] || { echo "selftest: $BINARY missing"; exit 1; }

# run_one NAME : sets DIFFS (or empty if run.sh did not report) and DECISIONS
run_one() {
  local name="$1" log="$LOGS/$1.log" last
  if [ "$name" = "none" ]; then
    env -u KAUTHZ_MUTANT bash "$ROOT/conformance/run.sh" --kauthz "$BINARY" --seeds "$SEEDS" --start "$START" > "$log" 2>&1
  else
    # a mutant's run stops at the first table or seed that differs: caught is caught
    KAUTHZ_MUTANT="$name" bash "$ROOT/conformance/run.sh" --kauthz "$BINARY" --seeds "$SEEDS" --start "$START" --until-difference > "$log" 2>&1
  fi
  last=$(tail -1 "$log")
  DIFFS=""; DECISIONS=""
  if [[ "$last" =~ ^conformance:\ ([0-9]+)\ decisions,\ ([0-9]+)\ differences$ ]]; then
    DECISIONS=${BASH_REMATCH[1]}; DIFFS=${BASH_REMATCH[2]}
  fi
  # a run whose steps failed (e.g. a crash) is not a valid verdict either way
  if grep -q 'step(s) failed' "$log"; then DIFFS=""; fi
}

bad=0
run_one none
if [ -z "$DIFFS" ]; then
  echo "selftest: baseline (no mutant): run failed, see $LOGS/none.log"; bad=$((bad + 1))
elif [ "$DIFFS" -ne 0 ]; then
  echo "selftest: baseline (no mutant): $DIFFS differences in $DECISIONS decisions - FAIL (expected 0)"; bad=$((bad + 1))
else
  echo "selftest: baseline (no mutant): 0 differences in $DECISIONS decisions - ok"
fi

for m in "${MUTANTS[@]}"; do
  run_one "$m"
  if [ -z "$DIFFS" ]; then
    echo "selftest: mutant $m: run failed, see $LOGS/$m.log"; bad=$((bad + 1))
  elif [ "$DIFFS" -eq 0 ]; then
    echo "selftest: mutant $m: SURVIVED (0 differences in $DECISIONS decisions)"; bad=$((bad + 1))
  else
    echo "selftest: mutant $m: caught ($DIFFS differences in $DECISIONS decisions)"
  fi
done

if [ "$bad" -gt 0 ]; then
  echo "selftest: FAIL ($bad problem(s); logs in $LOGS)"
  exit 1
fi
echo "selftest: ok (${#MUTANTS[@]} mutants caught, baseline clean)"
