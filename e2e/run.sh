#!/usr/bin/env bash
# End-to-end test against a real control plane built from k8s.io/kubernetes v1.37.2
# (`make e2e`): etcd + kube-apiserver (Node,RBAC; NodeRestriction) + kube-controller-manager
# on loopback, loaded with the bundled example and a generated cluster; then kauthz's answers
# are compared with the apiserver's own SubjectAccessReview answers, and `kauthz serve` is
# deployed (deploy/) as the webhooks of a second kube-apiserver (e2e/serve.sh).
#
#   bash e2e/run.sh [--sars N] [--seed S] [--kauthz PATH] [--keep]
#
# Binaries are built once per version into ~/.cache/kauthz-e2e/ (e2e/build.sh; the first build
# takes 10-20 minutes on 2 cores). Work files go to target/e2e/. The last line is always
# "e2e: N passed, N failed" (checks, not decisions).
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
E2E=$ROOT/e2e
SARS=12000
SEED=1
KAUTHZ=""
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --sars) SARS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --kauthz) KAUTHZ=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "e2e: unknown argument $1" >&2; exit 2 ;;
  esac
done

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $*"; }
finish() { echo "e2e: $PASSED passed, $FAILED failed"; [ "$FAILED" = 0 ]; exit $?; }
abort() { fail "$*"; finish; }
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$(now)"; }

# --- tools ------------------------------------------------------------------------------------
for tool in etcd openssl curl python3; do
  if ! command -v "$tool" >/dev/null; then
    pkg=$tool
    [ "$tool" = etcd ] && pkg=etcd-server
    echo "e2e: installing $pkg (Debian)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null) || abort "install $pkg"
  fi
done
t=$(now)
BIN=$(bash "$E2E/build.sh") || abort "build kube-apiserver, kube-controller-manager, kubectl (e2e/build.sh)"
echo "e2e: control-plane binaries in $BIN ($(since "$t")s)"
KUBECTL=$BIN/kubectl

WORK=$ROOT/target/e2e
mkdir -p "$WORK"
# The comparer, and upstream's chain as a library (the conformance oracle): it names every
# reason RBAC could have given, since the apiserver names the first allowing binding in
# informer map order.
(cd "$ROOT/conformance" && go build -p 1 -o "$WORK/" ./cmd/compare ./cmd/oracle) || abort "build conformance/cmd/compare, oracle"
if [ -z "$KAUTHZ" ]; then
  (cd "$ROOT" && cargo build --release --locked -q -p kauthz) || abort "cargo build kauthz"
  KAUTHZ=$ROOT/target/release/kauthz
fi

# --- control plane ----------------------------------------------------------------------------
NODES=(e2e-node-1 e2e-node-2 e2e-node-3 e2e-node-4 e2e-node-5 e2e-node-6)
# shellcheck source=e2e/cluster.sh
source "$E2E/cluster.sh"
trap 'cluster_down' EXIT
trap 'fail "interrupted"; cluster_down; finish' INT TERM
t=$(now)
cluster_up "$WORK/cluster" "$BIN" "${NODES[@]}" || abort "start etcd, kube-apiserver, kube-controller-manager"
pass "control plane up (kube-apiserver ready in $(since "$t")s, $E2E_SERVER)"
PKI=$E2E_WORK/pki
post() { python3 "$E2E/gen.py" post --server "$E2E_SERVER" --ca "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$@"; }

# create FILE: kubectl create, tolerating objects the control plane already made.
create() {
  local out
  out=$("$KUBECTL" create -f "$1" 2>&1 >/dev/null)
  if echo "$out" | grep -v 'AlreadyExists\|already exists' | grep -q .; then
    echo "$out" | grep -v 'AlreadyExists\|already exists' | head -20 >&2
    return 1
  fi
}

# --- load a realistic cluster -----------------------------------------------------------------
t=$(now)
for f in cluster rbac; do
  "$KUBECTL" create --dry-run=client --validate=false -o json -f "$ROOT/examples/kubeletauthz/$f.yaml" > "$WORK/example-$f.raw.json" \
    && python3 "$E2E/gen.py" example "$WORK/example-$f.raw.json" > "$WORK/example-$f.json" \
    && create "$WORK/example-$f.json" || abort "load examples/kubeletauthz/$f.yaml"
done
python3 "$E2E/gen.py" objects --seed "$SEED" "${NODES[@]}" > "$WORK/generated.json" \
  && create "$WORK/generated.json" || abort "load the generated cluster"
# Ephemeral containers only through the pods/ephemeralcontainers subresource, as kubectl debug adds them.
"$KUBECTL" get pods -A -o json | python3 "$E2E/gen.py" ephemeral --seed "$SEED" \
  | while read -r ns name body; do echo "PUT /api/v1/namespaces/$ns/pods/$name/ephemeralcontainers $body"; done \
  | post --lines > /dev/null || abort "add ephemeral containers"
# Claims from ResourceClaimTemplates: created per pod and recorded in pods/status, as the
# resource-claim controller does (the graph reaches them only through the pod's status).
"$KUBECTL" get pods -A -o json | python3 "$E2E/gen.py" claims --seed "$SEED" \
  | post --lines > /dev/null || abort "create template-generated claims and pod statuses"
# Settle: the service-account controller's default accounts, the aggregated roles.
deadline=$(( $(date +%s) + 60 ))
until [ "$("$KUBECTL" get sa -A --no-headers 2>/dev/null | grep -c ' default ')" -ge "$("$KUBECTL" get ns --no-headers | wc -l)" ] \
  && "$KUBECTL" get clusterrole view -o json | grep -q widgets; do
  [ "$(date +%s)" -ge "$deadline" ] && abort "controllers did not settle in 60s"
  sleep 1
done
sleep 2
templated=$("$KUBECTL" get pods -A -o json | python3 -c 'import json,sys; print(sum(1 for p in json.load(sys.stdin)["items"] if p.get("status", {}).get("resourceClaimStatuses")))')
if [ "${templated:-0}" -gt 0 ]; then pass "$templated pods hold template-generated claims through pods/status"; else fail "no pod holds a template-generated claim"; fi
counts=$("$KUBECTL" get nodes,pods,secrets,configmaps,pvc,pv -A --no-headers 2>/dev/null | wc -l)
pass "cluster loaded in $(since "$t")s ($counts nodes, pods, secrets, configmaps, PVCs and PVs)"

# --- snapshot ---------------------------------------------------------------------------------
KINDS=namespaces,nodes,pods,secrets,configmaps,serviceaccounts,persistentvolumeclaims,persistentvolumes
KINDS+=,volumeattachments.storage.k8s.io,csinodes.storage.k8s.io,csidrivers.storage.k8s.io,leases.coordination.k8s.io
KINDS+=,resourceclaims.resource.k8s.io,resourceslices.resource.k8s.io
KINDS+=,roles.rbac.authorization.k8s.io,clusterroles.rbac.authorization.k8s.io
KINDS+=,rolebindings.rbac.authorization.k8s.io,clusterrolebindings.rbac.authorization.k8s.io
t=$(now)
"$KUBECTL" get "$KINDS" -A -o json > "$WORK/snapshot-kubectl.json" || abort "kubectl get snapshot"
echo "e2e: kubectl get snapshot in $(since "$t")s"
SNAP=$WORK/snapshot-kubectl.json
if "$KAUTHZ" snapshot --help >/dev/null 2>&1; then
  t=$(now)
  if "$KAUTHZ" snapshot -o "$WORK/snapshot.json" 2> "$WORK/snapshot.err"; then
    pass "kauthz snapshot in $(since "$t")s ($(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["items"]))' "$WORK/snapshot.json") objects)"
    SNAP=$WORK/snapshot.json
  else
    fail "kauthz snapshot: $(tail -3 "$WORK/snapshot.err")"
  fi
fi

# --- refused reviews: the apiserver's whole 422 Status against kauthz review's ----------------
python3 "$E2E/gen.py" invalid > "$WORK/invalid.jsonl" || abort "generate invalid SARs"
post --keep-errors < "$WORK/invalid.jsonl" > "$WORK/invalid-apiserver.jsonl" || abort "post invalid SARs"
"$KAUTHZ" review -f "$SNAP" < "$WORK/invalid.jsonl" > "$WORK/invalid-kauthz.jsonl" 2>/dev/null
if python3 - "$WORK/invalid-apiserver.jsonl" "$WORK/invalid-kauthz.jsonl" <<'PY'
import json, sys
want = [json.loads(l) for l in open(sys.argv[1])]
got = [json.loads(l) for l in open(sys.argv[2])]
bad = [(i, w, g) for i, (w, g) in enumerate(zip(want, got)) if w != g]
for i, w, g in bad[:3]:
    print(f"  review {i}:\n    apiserver {json.dumps(w)}\n    kauthz    {json.dumps(g)}")
sys.exit(0 if len(want) == len(got) and not bad and all(w.get("code") == 422 for w in want) else 1)
PY
then pass "$(wc -l < "$WORK/invalid.jsonl") refused reviews: kauthz's Status equals the apiserver's 422 (message, details, causes, metadata)"
else fail "refused reviews: kauthz's Status differs from the apiserver's"; fi

# --- the apiserver's answers against kauthz's -------------------------------------------------
python3 "$E2E/gen.py" sars --seed "$SEED" --count "$SARS" < "$SNAP" > "$WORK/sars.jsonl" || abort "generate SARs"
t=$(now)
post --keep-errors < "$WORK/sars.jsonl" > "$WORK/apiserver.jsonl" || abort "post SARs to kube-apiserver"
echo "e2e: kube-apiserver answered $(wc -l < "$WORK/sars.jsonl") SubjectAccessReviews in $(since "$t")s"
"$WORK/oracle" review -f "$SNAP" < "$WORK/sars.jsonl" > "$WORK/oracle.jsonl" 2> "$WORK/oracle.err" || abort "oracle review"
python3 "$E2E/gen.py" merge --apiserver "$WORK/apiserver.jsonl" --oracle "$WORK/oracle.jsonl" > "$WORK/expected.jsonl" \
  && pass "every RBAC reason of the apiserver is one upstream's chain gives over the snapshot" \
  || fail "apiserver RBAC reasons outside upstream's acceptable set"
compare() { # LABEL ACTUAL
  local out
  out=$("$WORK/compare" --label "$1" --expected "$WORK/expected.jsonl" --actual "$2" --max-print 10)
  echo "$out" | tail -12
  if echo "$out" | grep -q ' 0 differences$'; then pass "$1: $(echo "$out" | tail -1)"; else fail "$1: $(echo "$out" | tail -1)"; fi
}
compare "upstream's chain over the snapshot vs kube-apiserver (the snapshot holds what decides)" "$WORK/oracle.jsonl"
t=$(now)
"$KAUTHZ" review -f "$SNAP" < "$WORK/sars.jsonl" > "$WORK/kauthz.jsonl" 2> "$WORK/kauthz.err" || fail "kauthz review exited $?"
echo "e2e: kauthz review over the snapshot in $(since "$t")s"
compare "snapshot review vs kube-apiserver" "$WORK/kauthz.jsonl"

# Live: the same requests with no -f (kauthz lists the state itself).
if "$KAUTHZ" snapshot --help >/dev/null 2>&1; then
  t=$(now)
  "$KAUTHZ" review < "$WORK/sars.jsonl" > "$WORK/kauthz-live.jsonl" 2> "$WORK/kauthz-live.err" || fail "kauthz review (live) exited $?"
  echo "e2e: kauthz review live in $(since "$t")s"
  compare "live review vs kube-apiserver" "$WORK/kauthz-live.jsonl"
fi

# Further checks (watched state, --as-kubeconfig) live in e2e/checks.sh when present.
if [ -f "$E2E/checks.sh" ]; then
  # shellcheck source=/dev/null
  source "$E2E/checks.sh"
fi

# kauthz serve as the webhooks of a second apiserver: deploy/, NodeRestriction, strict mode, faults.
if [ -f "$E2E/serve.sh" ]; then
  # shellcheck source=e2e/serve.sh
  source "$E2E/serve.sh"
fi

if [ "$KEEP" = 1 ]; then
  echo "e2e: --keep: control plane left running at $E2E_SERVER (KUBECONFIG=$E2E_WORK/admin.kubeconfig); Ctrl-C to stop"
  trap 'cluster_down; finish' INT
  while sleep 3600; do :; done
fi
cluster_down
trap - EXIT
finish
