#!/usr/bin/env bash
# Conformance run: generated scenarios and restated upstream tables, each answered by
# the upstream oracle and by kauthz, compared decision by decision.
#
#   bash conformance/run.sh [--seeds N] [--start S] [--self] [--tables-only] [--no-tables]
#                           [--kauthz PATH] [--max-print N] [--cross-queries N] [--keep-out]
#
#   --self         compare the oracle against itself (pipeline check; no cargo build)
#   --kauthz PATH  use this kauthz binary instead of building $CARGO_TARGET_DIR/release/kauthz (default target/)
#   --cross-queries N  who-can queries per seed in the crosscheck step (default 6)
#   --keep-out     keep every seed's work files (default: a seed's files are removed once it
#                  compared clean, so long runs do not fill the disk)
#   --until-difference  stop after the first table or seed that differs (the self-test's
#                  mutant runs: a caught mutant need not run every seed)
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CONF="$ROOT/conformance"
BIN="$CONF/bin"
OUT="${CONFORMANCE_OUT:-$CONF/out}"  # CONFORMANCE_OUT: work files elsewhere (concurrent runs)

SEEDS=200
START=1
SELF=0
TABLES=1
SCENARIOS=1
KAUTHZ=""
MAXPRINT=10
CROSS_QUERIES=6
KEEP_OUT=0
UNTIL_DIFF=0

while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) SEEDS="$2"; shift 2 ;;
    --seeds=*) SEEDS="${1#*=}"; shift ;;
    --start) START="$2"; shift 2 ;;
    --start=*) START="${1#*=}"; shift ;;
    --self) SELF=1; shift ;;
    --tables-only) SCENARIOS=0; shift ;;
    --no-tables) TABLES=0; shift ;;
    --kauthz) KAUTHZ="$2"; shift 2 ;;
    --kauthz=*) KAUTHZ="${1#*=}"; shift ;;
    --max-print) MAXPRINT="$2"; shift 2 ;;
    --cross-queries) CROSS_QUERIES="$2"; shift 2 ;;
    --keep-out) KEEP_OUT=1; shift ;;
    --until-difference) UNTIL_DIFF=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

fail() { echo "conformance: $*" >&2; echo "conformance: 0 decisions, 0 differences (run aborted)"; exit 1; }

# --- build the Go tools (cached: rebuilt only when their sources change) -------------
mkdir -p "$BIN" "$OUT"
stamp=$(cd "$CONF" && find . -path ./bin -prune -o -path ./out -prune -o \( -name '*.go' -o -name go.mod -o -name go.sum \) -print \
  | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)
if [ "$(cat "$BIN/.stamp" 2>/dev/null)" != "$stamp" ] || [ ! -x "$BIN/oracle" ] || [ ! -x "$BIN/gen" ] || [ ! -x "$BIN/compare" ] || [ ! -x "$BIN/crosscheck" ]; then
  echo "conformance: building oracle, gen, compare, crosscheck (first build takes minutes)" >&2
  (cd "$CONF" && GOFLAGS=-p=1 go build -p 1 -o "$BIN/" ./cmd/oracle ./cmd/gen ./cmd/compare ./cmd/crosscheck) || fail "go build failed"
  echo "$stamp" > "$BIN/.stamp"
fi

# --- the implementation under test ---------------------------------------------------
if [ "$SELF" = 1 ]; then
  IMPL="$BIN/oracle"
  echo "conformance: --self: comparing the oracle against itself" >&2
elif [ -n "$KAUTHZ" ]; then
  IMPL="$KAUTHZ"
  [ -x "$IMPL" ] || fail "kauthz binary $IMPL not found or not executable"
else
  (cd "$ROOT" && cargo build --release -p kauthz) || fail "cargo build --release -p kauthz failed"
  IMPL="${CARGO_TARGET_DIR:-$ROOT/target}/release/kauthz"
  [ -x "$IMPL" ] || fail "$IMPL is missing after cargo build (does crate kauthz build a binary named kauthz?)"
fi

total_decisions=0
total_diffs=0
admit_decisions=0
admit_diffs=0
cross_decisions=0
cross_diffs=0
config_decisions=0
config_diffs=0
failures=0

# run_case LABEL DIR FLAGS... : DIR holds the snapshot (-f args in FLAGS) and requests.jsonl
run_case() {
  local label="$1" dir="$2"; shift 2
  local flags=("$@")
  # No retries: the oracle waits for every informer delivery and watch registration, so
  # a failed oracle run is a fault to find, not a flake to hide.
  if ! "$BIN/oracle" review "${flags[@]}" < "$dir/requests.jsonl" > "$dir/oracle.jsonl" 2> "$dir/oracle.err"; then
    echo "FAIL $label: oracle failed: $(tail -3 "$dir/oracle.err")" >&2
    failures=$((failures + 1)); return
  fi
  # Upstream refused the --authorization-config: kauthz must refuse it with the same message.
  local refused=0
  if head -c 200 "$dir/oracle.jsonl" | grep -q '"kind":"AuthorizationConfigError"'; then refused=1; fi
  if ! "$IMPL" review "${flags[@]}" < "$dir/requests.jsonl" > "$dir/kauthz.jsonl" 2> "$dir/kauthz.err" && [ "$refused" = 0 ]; then
    echo "FAIL $label: kauthz review failed: $(tail -3 "$dir/kauthz.err")" >&2
    failures=$((failures + 1))
    # still compare what was written, so the differences are counted
  fi
  local res summary n d
  res=$("$BIN/compare" --label "$label" --max-print "$MAXPRINT" --expected "$dir/oracle.jsonl" --actual "$dir/kauthz.jsonl" --actual-stderr "$dir/kauthz.err")
  summary=$(printf '%s\n' "$res" | tail -1)
  printf '%s\n' "$res" | sed '$d'
  if [[ "$summary" =~ ^compare:\ ([0-9]+)\ decisions,\ ([0-9]+)\ differences$ ]]; then
    n=${BASH_REMATCH[1]}; d=${BASH_REMATCH[2]}
    total_decisions=$((total_decisions + n)); total_diffs=$((total_diffs + d))
    if [ -f "$dir/authz-config.yaml" ]; then config_decisions=$((config_decisions + n)); config_diffs=$((config_diffs + d)); fi
  else
    echo "FAIL $label: comparer failed: $summary" >&2
    failures=$((failures + 1))
  fi
}

# run_admit LABEL DIR FLAGS... : DIR holds admission.jsonl; answers go to oracle-admit.jsonl
# and kauthz-admit.jsonl. No retries: the oracle waits for every informer delivery, so a
# failure is a fault to find, not a flake to hide.
run_admit() {
  local label="$1" dir="$2"; shift 2
  local flags=("$@")
  if ! "$BIN/oracle" admit "${flags[@]}" < "$dir/admission.jsonl" > "$dir/oracle-admit.jsonl" 2> "$dir/oracle-admit.err"; then
    echo "FAIL $label: oracle admit failed: $(tail -3 "$dir/oracle-admit.err")" >&2
    failures=$((failures + 1)); return
  fi
  if ! "$IMPL" admit "${flags[@]}" < "$dir/admission.jsonl" > "$dir/kauthz-admit.jsonl" 2> "$dir/kauthz-admit.err"; then
    echo "FAIL $label: kauthz admit failed: $(tail -3 "$dir/kauthz-admit.err")" >&2
    failures=$((failures + 1))
    # still compare what was written, so the differences are counted
  fi
  local res summary n d
  res=$("$BIN/compare" --label "$label" --max-print "$MAXPRINT" --expected "$dir/oracle-admit.jsonl" --actual "$dir/kauthz-admit.jsonl")
  summary=$(printf '%s\n' "$res" | tail -1)
  printf '%s\n' "$res" | sed '$d'
  if [[ "$summary" =~ ^compare:\ ([0-9]+)\ decisions,\ ([0-9]+)\ differences$ ]]; then
    n=${BASH_REMATCH[1]}; d=${BASH_REMATCH[2]}
    total_decisions=$((total_decisions + n)); total_diffs=$((total_diffs + d))
    admit_decisions=$((admit_decisions + n)); admit_diffs=$((admit_diffs + d))
  else
    echo "FAIL $label: comparer failed: $summary" >&2
    failures=$((failures + 1))
  fi
}

# run_cross LABEL DIR SEED FLAGS... : who-can and can-i --list proven with the oracle
# (cmd/crosscheck: the oracle in-process, kauthz as a subprocess per query); its
# decisions and differences count into the same totals.
run_cross() {
  local label="$1" dir="$2" seed="$3"; shift 3
  local flags=("$@")
  local res summary n d
  res=$("$BIN/crosscheck" --label "$label" --seed "$seed" --max-print "$MAXPRINT" --kauthz "$IMPL" --queries "$CROSS_QUERIES" \
    --requests "$dir/requests.jsonl" "${flags[@]}" 2> "$dir/crosscheck.err")
  summary=$(printf '%s\n' "$res" | tail -1)
  printf '%s\n' "$res" | sed '$d'
  if [[ "$summary" =~ ^compare:\ ([0-9]+)\ decisions,\ ([0-9]+)\ differences$ ]]; then
    n=${BASH_REMATCH[1]}; d=${BASH_REMATCH[2]}
    total_decisions=$((total_decisions + n)); total_diffs=$((total_diffs + d))
    cross_decisions=$((cross_decisions + n)); cross_diffs=$((cross_diffs + d))
  else
    echo "FAIL $label: crosscheck failed: $(tail -3 "$dir/crosscheck.err")" >&2
    failures=$((failures + 1))
  fi
}

# --- restated upstream tables --------------------------------------------------------
# A table holds requests.jsonl (SubjectAccessReviews, answered by review) or
# admission.jsonl (AdmissionReviews, answered by admit), snapshot* files, flags and
# expected.jsonl (upstream's own expectations, checked against the oracle); a configs/
# directory makes one review case per --authorization-config file in it.
if [ "$TABLES" = 1 ] && [ -d "$CONF/tables" ]; then
  for t in "$CONF"/tables/*/; do
    if [ "$UNTIL_DIFF" = 1 ] && [ "$total_diffs" -gt 0 ]; then break; fi
    t=${t%/}; name=$(basename "$t")
    if [ -f "$t/requests.jsonl" ]; then mode=review; answers=oracle.jsonl
    elif [ -f "$t/admission.jsonl" ]; then mode=admit; answers=oracle-admit.jsonl
    else continue; fi
    work="$OUT/tables/$name"; mkdir -p "$work"
    flags=()
    for s in "$t"/snapshot*; do [ -e "$s" ] && flags+=(-f "$s"); done
    if [ -f "$t/flags" ]; then read -r -a extra < "$t/flags"; flags+=("${extra[@]}"); fi
    if [ "$mode" = review ] && [ -d "$t/configs" ]; then
      # One case per --authorization-config file (loaded, or refused with upstream's message).
      for c in "$t"/configs/*.yaml; do
        cwork="$work/$(basename "$c" .yaml)"; mkdir -p "$cwork"
        cp "$t/requests.jsonl" "$cwork/requests.jsonl"; cp "$c" "$cwork/authz-config.yaml"
        run_case "table-$name-$(basename "$c" .yaml)" "$cwork" "${flags[@]}" --authorization-config "$cwork/authz-config.yaml"
      done
    elif [ "$mode" = review ]; then
      cp "$t/requests.jsonl" "$work/requests.jsonl"
      run_case "table-$name" "$work" "${flags[@]}"
    else
      cp "$t/admission.jsonl" "$work/admission.jsonl"
      run_admit "table-$name" "$work" "${flags[@]}"
    fi
    if [ -f "$t/expected.jsonl" ] && [ -s "$work/$answers" ]; then
      # the restatement itself: the oracle must agree with upstream's own expectations
      if ! "$BIN/compare" --label "table-$name" --expected "$work/$answers" --expectations "$t/expected.jsonl"; then
        echo "FAIL table-$name: oracle disagrees with the restated upstream expectations" >&2
        failures=$((failures + 1))
      fi
    fi
  done
fi

# --- generated scenarios -------------------------------------------------------------
if [ "$SCENARIOS" = 1 ]; then
  end=$((START + SEEDS - 1))
  for seed in $(seq "$START" "$end"); do
    if [ "$UNTIL_DIFF" = 1 ] && [ "$total_diffs" -gt 0 ]; then
      echo "conformance: --until-difference: stopped before seed $seed" >&2; break
    fi
    dir="$OUT/seed-$seed"
    seed_diffs=$total_diffs; seed_failures=$failures
    if ! "$BIN/gen" --seed "$seed" --out "$dir"; then
      echo "FAIL seed-$seed: gen failed" >&2; failures=$((failures + 1)); continue
    fi
    flags=(-f "$dir/snapshot.json" --with-defaults)
    if [ -f "$dir/flags" ]; then read -r -a extra < "$dir/flags"; flags+=("${extra[@]}"); fi
    run_case "seed-$seed" "$dir" "${flags[@]}"
    # An --authorization-config seed (webhooks) runs who-can/can-i --list and admission under
    # the default chain: webhook answers are not knowable offline.
    cflags=("${flags[@]}")
    if [ -f "$dir/authz-config.yaml" ]; then cflags=(-f "$dir/snapshot.json" --with-defaults); fi
    if [ "$SELF" = 0 ]; then run_cross "seed-$seed-whocan-list" "$dir" "$seed" "${cflags[@]}"; fi
    # NodeRestriction admission over the same snapshot plus the admission snapshot, under
    # the seed's chain and, on some seeds, other feature gates
    aflags=(-f "$dir/snapshot.json" -f "$dir/admission-snapshot.json" --with-defaults)
    if [ -f "$dir/flags" ] && [ ! -f "$dir/authz-config.yaml" ]; then read -r -a extra < "$dir/flags"; aflags+=("${extra[@]}"); fi
    if [ -f "$dir/admission-flags" ]; then read -r -a extra < "$dir/admission-flags"; aflags+=("${extra[@]}"); fi
    run_admit "seed-$seed-admit" "$dir" "${aflags[@]}"
    # A clean seed's work files (about 3 MB) go, except the first three (the printed-objects
    # step reads them), so SEEDS=N scales without filling the disk.
    if [ "$KEEP_OUT" = 0 ] && [ "$seed" -gt $((START + 2)) ] && [ "$total_diffs" = "$seed_diffs" ] && [ "$failures" = "$seed_failures" ]; then
      rm -rf "$dir"
    fi
  done
fi

# --- printed objects are valid upstream objects ---------------------------------------
# Every object kauthz prints claiming an upstream kind (SelfSubjectRulesReview from
# can-i --list, SubjectAccessReview from can-i -o json, AdmissionReview from admit and
# can-i --object) is decoded strictly into upstream's type and validated; each document
# counts as a decision, each problem as a difference.
if [ "$SELF" = 0 ]; then
  pdir="$OUT/printed"; mkdir -p "$pdir"
  ex=(-f "$ROOT/examples/kubeletauthz/cluster.yaml" -f "$ROOT/examples/kubeletauthz/rbac.yaml" --with-defaults)
  {
    "$IMPL" can-i --list --as-node kubeletauthz-worker -n kube-system "${ex[@]}" -o json
    "$IMPL" can-i --list --upstream --as-node kubeletauthz-worker -n kube-system "${ex[@]}" -o json 2>/dev/null
    "$IMPL" can-i --list --as system:serviceaccount:kube-system:coredns -n kube-system "${ex[@]}" -o json
    "$IMPL" can-i --list --as alice --as-group dev "${ex[@]}" -o json
    "$IMPL" can-i get secrets -n kube-system --as-node kubeletauthz-worker "${ex[@]}" -o json
    "$IMPL" can-i update nodes/kubeletauthz-worker --as-node kubeletauthz-worker "${ex[@]}" -o json \
      --object "$ROOT/examples/admission/worker-node-control-plane-label.yaml" --old-object "$ROOT/examples/admission/worker-node.yaml" 2>/dev/null
    "$IMPL" admit "${ex[@]}" < "$ROOT/examples/admission/reviews.jsonl"
    for seed in $(seq "$START" "$((START + 2))"); do
      d="$OUT/seed-$seed"; [ -f "$d/snapshot.json" ] || continue
      "$IMPL" can-i --list --as-node node-1 -n default -f "$d/snapshot.json" --with-defaults -o json
      "$IMPL" admit -f "$d/snapshot.json" -f "$d/admission-snapshot.json" --with-defaults < "$d/admission.jsonl"
    done
  } > "$pdir/printed.json" 2> "$pdir/printed.err"
  res=$("$BIN/oracle" validate < "$pdir/printed.json" 2>&1)
  printf '%s\n' "$res" | grep '^INVALID' | head -"$MAXPRINT" >&2
  summary=$(printf '%s\n' "$res" | grep '^validate:' | tail -1)
  if [[ "$summary" =~ ^validate:\ ([0-9]+)\ documents,\ ([0-9]+)\ problems$ ]]; then
    n=${BASH_REMATCH[1]}; d=${BASH_REMATCH[2]}
    echo "conformance: printed objects: $n documents, $d problems" >&2
    total_decisions=$((total_decisions + n)); total_diffs=$((total_diffs + d))
  else
    echo "FAIL printed objects: oracle validate failed: $(printf '%s\n' "$res" | tail -2)" >&2
    failures=$((failures + 1))
  fi
fi

[ "$failures" -gt 0 ] && echo "conformance: $failures step(s) failed" >&2
echo "conformance: of which NodeRestriction admission: $admit_decisions decisions, $admit_diffs differences" >&2
echo "conformance: of which who-can / can-i --list checks: $cross_decisions decisions, $cross_diffs differences" >&2
echo "conformance: of which --authorization-config seeds (webhooks, match conditions, refused configs): $config_decisions decisions, $config_diffs differences" >&2
echo "conformance: $total_decisions decisions, $total_diffs differences"
if [ "$total_diffs" -gt 0 ] || [ "$failures" -gt 0 ]; then exit 1; fi
exit 0
