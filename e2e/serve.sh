# Sourced by e2e/run.sh with the control plane up: `kauthz serve` as the authorization webhook
# (strict) and the NodeRestriction admission webhook of a second kube-apiserver on the same etcd,
# deployed from deploy/ and watching the cluster with the ServiceAccount deploy/ creates.
#
#   apiserver A  (E2E_SERVER)  Node,RBAC + in-tree NodeRestriction: the cluster without kauthz
#   apiserver B  (SERVE_B)     deploy/apiserver/authorization-config.yaml (Node, kauthz strict,
#                              RBAC), in-tree NodeRestriction disabled, kauthz's /admit registered
#                              by deploy/'s ValidatingWebhookConfiguration
#   kauthz serve               watches A with the kauthz ServiceAccount's token
#
# Then nodes' credentials against A and B: what upstream allows, what NodeRestriction and strict
# mode deny (the article's widened system:node binding), how fast pods change kauthz's answers,
# and faults: kauthz killed, A frozen (stale watch), A killed and restarted (relist).
# Uses run.sh's KAUTHZ, KUBECTL, WORK, ROOT, E2E_WORK, E2E_SERVER, E2E_PORT, pass/fail, now/since.

if ! "$KAUTHZ" serve --help 2>/dev/null | grep -q -- '--max-staleness'; then
  return 0
fi
serve_started=$(now)
SW=$WORK/serve
rm -rf "$SW"
mkdir -p "$SW"
PKI=$E2E_WORK/pki
NS=e2e-serve
N1=e2e-node-1
N2=e2e-node-2
MAX_STALENESS=3s

# --- deploy/: kustomize, server-side validation, apply ------------------------------------------
KPORT=$(free_port)
KAUTHZ_URL=https://127.0.0.1:$KPORT
"$KUBECTL" kustomize "$ROOT/deploy" > "$SW/deploy.yaml" || fail "kubectl kustomize deploy/"
# The namespace first: a server-side dry run cannot create into a namespace that does not exist.
"$KUBECTL" apply -f "$ROOT/deploy/namespace.yaml" > /dev/null || fail "apply deploy/namespace.yaml"
if out=$("$KUBECTL" apply --dry-run=server -f "$SW/deploy.yaml" 2>&1); then
  pass "deploy/ validated by the apiserver (kubectl apply --dry-run=server: $(echo "$out" | wc -l) objects)"
else
  fail "deploy/ server-side dry run: $(echo "$out" | grep -v 'dry run' | head -5)"
fi
# The real apply, through an overlay pointing the admission webhook at the kauthz run here.
mkdir -p "$SW/overlay"
cat > "$SW/overlay/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- $(python3 -c 'import os,sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))' "$ROOT/deploy" "$SW/overlay")
patches:
- target: {kind: ValidatingWebhookConfiguration, name: kauthz-noderestriction}
  patch: |-
    - op: replace
      path: /webhooks/0/clientConfig
      value: {url: "$KAUTHZ_URL/admit", caBundle: "$(base64 -w0 < "$PKI/ca.crt")"}
EOF
if out=$("$KUBECTL" apply -k "$SW/overlay" 2>&1); then
  pass "deploy/ applied ($(echo "$out" | wc -l) objects; the admission webhook's clientConfig patched to the local kauthz)"
else
  fail "kubectl apply -k deploy/: $(echo "$out" | head -5)"
fi
# kauthz reads the cluster with exactly the RBAC deploy/ grants its ServiceAccount.
token=$("$KUBECTL" create token kauthz -n kauthz-system --duration=2h 2>"$SW/token.err") || fail "token for the kauthz ServiceAccount: $(cat "$SW/token.err")"
write_kubeconfig "$SW/sa.kubeconfig" "$E2E_SERVER" "$PKI/ca.crt" kauthz --token "$token"

# --- kauthz serve --------------------------------------------------------------------------------
kcurl() { curl -sS --max-time 5 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$@"; }
kauthz_start() {
  "$KAUTHZ" serve --kubeconfig "$SW/sa.kubeconfig" --mode strict --listen "127.0.0.1:$KPORT" \
    --tls-cert-file "$PKI/kauthz.crt" --tls-private-key-file "$PKI/kauthz.key" --client-ca-file "$PKI/ca.crt" \
    --max-staleness "$MAX_STALENESS" "$@" >> "$SW/serve.log" 2>&1 &
  KAUTHZ_PID=$!
}
kauthz_stop() { [ -n "${KAUTHZ_PID:-}" ] && kill "$KAUTHZ_PID" 2>/dev/null && wait "$KAUTHZ_PID" 2>/dev/null; KAUTHZ_PID=""; }
# ready_code: kauthz's /readyz status code (000 when it does not answer).
ready_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$KAUTHZ_URL/readyz"; }
# until_ready WANT [SECONDS]: polls /readyz every 50 ms until it answers WANT; prints the seconds.
until_ready() {
  local start deadline
  start=$(now); deadline=$(( $(date +%s) + ${2:-60} ))
  while [ "$(ready_code)" != "$1" ]; do
    [ "$(date +%s)" -ge "$deadline" ] && { echo never; return 1; }
    sleep 0.05
  done
  since "$start"
}
# kauthz_says USER GROUPS_JSON VERB RESOURCE NS NAME: allow / deny / noopinion, then the reason.
kauthz_says() {
  sar "$@" | kcurl -X POST -H 'Content-Type: application/json' --data-binary @- "$KAUTHZ_URL/authorize" 2>/dev/null \
    | python3 -c 'import json,sys
try: s=json.load(sys.stdin).get("status",{})
except Exception: print("error"); sys.exit()
print("allow" if s.get("allowed") else "deny" if s.get("denied") else "noopinion", s.get("reason",""))'
}
NODE1=("system:node:$N1" '["system:nodes","system:authenticated"]')
trap 'kauthz_stop; cluster_down' EXIT
t=$(now)
kauthz_start
if d=$(until_ready 200 120); then
  pass "kauthz serve (strict, watching with the ServiceAccount's RBAC) ready after its first full sync in ${d}s (process start to /readyz 200: $(since "$t")s)"
else
  fail "kauthz serve never became ready: $(tail -5 "$SW/serve.log")"
fi
if grep -q "cannot watch" "$SW/serve.log"; then
  fail "deploy/'s ClusterRole misses kinds: $(grep 'cannot watch' "$SW/serve.log" | head -3)"
fi

# --- apiserver B: kauthz as authorization and admission webhook ---------------------------------
BPORT=$(free_port)
SERVE_B=https://127.0.0.1:$BPORT
write_kubeconfig "$SW/webhook.kubeconfig" "$KAUTHZ_URL/authorize" "$PKI/ca.crt" kube-apiserver "$PKI/webhook-client.crt" "$PKI/webhook-client.key"
sed "s#/etc/kubernetes/kauthz/webhook.kubeconfig#$SW/webhook.kubeconfig#" "$ROOT/deploy/apiserver/authorization-config.yaml" > "$SW/authorization-config.yaml"
# The admission webhook's client certificate, looked up by the webhook's host:port.
sed "s#/etc/kubernetes/kauthz/admission.kubeconfig#$SW/admission.kubeconfig#" "$ROOT/deploy/apiserver/admission-config.yaml" > "$SW/admission-config.yaml"
sed -e "s#name: kauthz.kauthz-system.svc#name: 127.0.0.1:$KPORT#" -e "s#/etc/kubernetes/kauthz/apiserver-client#$PKI/webhook-client#" \
  "$ROOT/deploy/apiserver/admission.kubeconfig" > "$SW/admission.kubeconfig"
t=$(now)
apiserver_start "$BPORT" kube-apiserver-kauthz --authorization-config="$SW/authorization-config.yaml" \
  --admission-control-config-file="$SW/admission-config.yaml" --disable-admission-plugins=NodeRestriction
B_PID=$!
if wait_ready "$SERVE_B/readyz" "$PKI" 120; then
  pass "kube-apiserver B (deploy/apiserver/: authorization and admission configuration; in-tree NodeRestriction disabled) ready in $(since "$t")s"
else
  fail "kube-apiserver B did not start: $(grep -iE 'error|fatal' "$E2E_WORK/logs/kube-apiserver-kauthz.log" | tail -3)"
fi
for n in "$N1" "$N2"; do
  for side in a b; do
    server=$E2E_SERVER; [ "$side" = b ] && server=$SERVE_B
    write_kubeconfig "$SW/$n-$side.kubeconfig" "$server" "$PKI/ca.crt" "system:node:$n" "$PKI/node-$n.crt" "$PKI/node-$n.key"
  done
done
# as NODE SIDE KUBECTL_ARGS...: kubectl with the node's credential against apiserver a or b.
as() { local n=$1 side=$2; shift 2; "$KUBECTL" --kubeconfig "$SW/$n-$side.kubeconfig" "$@" 2>&1; }
# code NODE SIDE METHOD PATH: the HTTP status of one request with the node's certificate.
code() {
  local server=$E2E_SERVER; [ "$2" = b ] && server=$SERVE_B
  curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$PKI/ca.crt" --cert "$PKI/node-$1.crt" --key "$PKI/node-$1.key" \
    -X "$3" "$server$4"
}
# until_code NODE SIDE METHOD PATH WANT: polls every 20 ms (at most 30 s); prints the seconds.
until_code() {
  local start; start=$(now)
  for _ in $(seq 1 1500); do
    [ "$(code "$1" "$2" "$3" "$4")" = "$5" ] && { since "$start"; return 0; }
    sleep 0.02
  done
  echo never; return 1
}
# until_kauthz WANT SAR_ARGS...: polls kauthz every 20 ms (at most 30 s); prints the seconds.
until_kauthz() {
  local want=$1 start; shift; start=$(now)
  for _ in $(seq 1 1500); do
    [ "$(kauthz_says "$@" | cut -d' ' -f1)" = "$want" ] && { since "$start"; return 0; }
    sleep 0.02
  done
  echo never; return 1
}

# --- objects -------------------------------------------------------------------------------------
pod_json() { # NAME NODE SECRET
  printf '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","namespace":"%s"},"spec":{"nodeName":"%s","containers":[{"name":"c","image":"registry.invalid/e2e:1","env":[{"name":"S","valueFrom":{"secretKeyRef":{"name":"%s","key":"k"}}}]}]}}' \
    "$1" "$NS" "$2" "$3"
}
"$KUBECTL" create namespace "$NS" > /dev/null
for s in own-secret unrelated-secret delay-secret relist-secret fault-1 fault-2 fault-3 fault-4; do
  "$KUBECTL" create secret generic "$s" -n "$NS" --from-literal=k=v > /dev/null
done
pod_json own-pod "$N1" own-secret | "$KUBECTL" create -f - > /dev/null
pod_json other-pod "$N2" unrelated-secret | "$KUBECTL" create -f - > /dev/null
pod_json mine-to-delete "$N1" own-secret | "$KUBECTL" create -f - > /dev/null
SECRETS=/api/v1/namespaces/$NS/secrets
until_kauthz allow "${NODE1[@]}" get secrets "$NS" own-secret > /dev/null || fail "kauthz never saw own-pod"

# --- what upstream allows, B allows --------------------------------------------------------------
ok=()
[ "$(code "$N1" b GET "$SECRETS/own-secret")" = 200 ] && ok+=("its pod's secret")
[ "$(code "$N1" b GET "/api/v1/nodes/$N1")" = 200 ] && ok+=("its Node")
[ "$(code "$N1" b GET "/api/v1/namespaces/$NS/pods/own-pod")" = 200 ] && ok+=("its pod")
out=$(as "$N1" b delete pod mine-to-delete -n "$NS" --grace-period=0 --wait=false) && ok+=("deleting its own pod through kauthz's /admit")
if [ "${#ok[@]}" = 4 ]; then
  pass "through B, $N1 is allowed what upstream allows: $(IFS=,; echo "${ok[*]}" | sed 's/,/, /g')"
else
  fail "through B, $N1 was refused something upstream allows (allowed only: ${ok[*]}; $out)"
fi

# --- NodeRestriction: A's in-tree plugin and B's kauthz /admit refuse alike -----------------------
# Raw requests with the node's certificate (kubectl would first GET the object, which the Node
# authorizer refuses for another node's objects before admission is reached).
# message NODE SIDE METHOD PATH [JSON]: the Status message of the answer.
message() {
  local server=$E2E_SERVER; [ "$2" = b ] && server=$SERVE_B
  curl -s --max-time 10 --cacert "$PKI/ca.crt" --cert "$PKI/node-$1.crt" --key "$PKI/node-$1.key" -X "$3" \
    -H 'Content-Type: application/merge-patch+json' ${5:+--data-binary "$5"} "$server$4" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin).get("message",""))' 2>/dev/null
}
same=0; total=0
while IFS='|' read -r method path body; do
  total=$((total + 1))
  a=$(message "$N1" a "$method" "$path" "$body"); b=$(message "$N1" b "$method" "$path" "$body")
  if [ -n "$a" ] && [ "admission webhook \"noderestriction.kauthz.dev\" denied the request: $a" = "$b" ]; then
    same=$((same + 1))
  else
    echo "  NodeRestriction differs for $method $path:"; echo "    A: $a"; echo "    B: $b"
  fi
done <<EOF
DELETE|/api/v1/namespaces/$NS/pods/other-pod|
PATCH|/api/v1/nodes/$N2|{"metadata":{"labels":{"e2e":"x"}}}
PATCH|/api/v1/nodes/$N1|{"metadata":{"labels":{"node-restriction.kubernetes.io/e2e":"x"}}}
EOF
if [ "$same" = "$total" ]; then
  pass "NodeRestriction through kauthz's /admit refuses $N1's writes (another node's pod, another Node, a node-restriction label on its own Node) with the in-tree plugin's exact message ($total requests)"
else
  fail "NodeRestriction: $same of $total refusals match the in-tree plugin"
fi

# --- the article's trap: system:nodes added to the system:node ClusterRoleBinding ----------------
before_a=$(code "$N1" a GET "$SECRETS/unrelated-secret")
"$KUBECTL" patch clusterrolebinding system:node --type=json \
  -p '[{"op":"add","path":"/subjects","value":[{"apiGroup":"rbac.authorization.k8s.io","kind":"Group","name":"system:nodes"}]}]' > /dev/null
d=$(until_code "$N1" a GET "$SECRETS/unrelated-secret" 200)
out_a=$(as "$N1" a get secret unrelated-secret -n "$NS" -o name)
out_b=$(as "$N1" b get secret unrelated-secret -n "$NS" -o name)
if [ "$before_a" = 403 ] && [ "$out_a" = secret/unrelated-secret ] && echo "$out_b" | grep -q 'Forbidden.*kauthz strict'; then
  pass "widened system:node binding: without kauthz $N1 reads an unrelated secret (A, ${d}s after the patch); with kauthz strict it is denied (B: $(echo "$out_b" | sed 's/.*: kauthz strict/kauthz strict/' | cut -c1-110))"
else
  fail "widened system:node binding: before $before_a; A: $out_a; B: $out_b"
fi

# --- pods created and deleted change the answers --------------------------------------------------
delays=()
pod_json delay-pod "$N1" delay-secret | "$KUBECTL" create -f - > /dev/null
d=$(until_kauthz allow "${NODE1[@]}" get secrets "$NS" delay-secret) && delays+=("kauthz allows after the pod's creation in ${d}s")
[ "$(code "$N1" b GET "$SECRETS/delay-secret")" = 200 ] || d=never
[ "$d" != never ] || fail "the node did not gain its new pod's secret"
"$KUBECTL" delete pod delay-pod -n "$NS" --grace-period=0 --force > /dev/null 2>&1
t=$(now)
d=$(until_kauthz deny "${NODE1[@]}" get secrets "$NS" delay-secret) && delays+=("kauthz denies after its deletion in ${d}s")
db=$(until_code "$N1" b GET "$SECRETS/delay-secret" 403) && delays+=("B denies after $(since "$t")s")
if [ "${#delays[@]}" = 3 ]; then
  pass "pods change the answers: $(IFS=';'; echo "${delays[*]}" | sed 's/;/; /g')"
else
  fail "pods did not change the answers in 30 s (${delays[*]}; B: $db)"
fi

# --- load: the same SubjectAccessReviews against kauthz and against kube-apiserver ----------------
LOADGEN=${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/loadgen
if (cd "$ROOT" && cargo build --release --locked -q -p kauthz-server --example loadgen) && [ -x "$LOADGEN" ]; then
  # Bounded: 4 keep-alive connections, the e2e's generated request mix, admin's client certificate.
  lg() { "$LOADGEN" run --ca "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" --mix "$WORK/sars.jsonl" --connections 4 "$@" 2>&1; }
  load_k=$(lg --addr "127.0.0.1:$KPORT" --requests 40000)
  load_a=$(lg --addr "127.0.0.1:$E2E_PORT" --path /apis/authorization.k8s.io/v1/subjectaccessreviews --requests 8000)
  echo "e2e: load, kauthz serve /authorize (strict): $load_k"
  echo "e2e: load, kube-apiserver A subjectaccessreviews (its whole chain): $load_a"
  # (The mix keeps the generator's invalid reviews: both answer them with an error status.)
  if echo "$load_k" | grep -q 'req/s' && echo "$load_a" | grep -q 'req/s'; then
    kr=$(echo "$load_k" | sed -n 's/.*: \([0-9]*\) req\/s.*/\1/p'); ar=$(echo "$load_a" | sed -n 's/.*: \([0-9]*\) req\/s.*/\1/p')
    pass "load, same SAR mix, 4 connections: kauthz $kr req/s ($(echo "$load_k" | grep -o 'p50.*p99.9 [^ ]*')), kube-apiserver $ar req/s ($(echo "$load_a" | grep -o 'p50.*p99.9 [^ ]*')): $(python3 -c "print(f'{$kr/max($ar,1):.1f}')")x"
  else
    fail "load: kauthz: $load_k; apiserver: $load_a"
  fi
else
  fail "build the load generator (cargo build -p kauthz-server --example loadgen)"
fi

# --- fault: kauthz killed -------------------------------------------------------------------------
kill -9 "$KAUTHZ_PID"; wait "$KAUTHZ_PID" 2>/dev/null; KAUTHZ_PID=""
pod_json mine-2 "$N1" own-secret | "$KUBECTL" create -f - > /dev/null
r_trap=$(code "$N1" b GET "$SECRETS/fault-1"); r_a=$(code "$N1" a GET "$SECRETS/fault-1")
r_own=$(code "$N1" b GET "$SECRETS/own-secret")
r_write=$(as "$N1" b delete pod mine-2 -n "$NS" --grace-period=0 --wait=false)
if { [ "$r_trap" = 403 ] || [ "$r_trap" = 500 ]; } && [ "$r_a" = 200 ] && [ "$r_own" = 200 ] && echo "$r_write" | grep -q 'failed calling webhook'; then
  pass "kauthz killed: B refuses the widened read (HTTP $r_trap: authorization failurePolicy Deny; A allows it), still allows the Node authorizer's grants, refuses node writes (admission failurePolicy Fail)"
else
  fail "kauthz killed: widened read $r_trap (A $r_a), own secret $r_own, node write: $r_write"
fi
t=$(now)
kauthz_start
d=$(until_ready 200 120) && pass "kauthz restarted: ready again in ${d}s" || fail "kauthz did not restart: $(tail -3 "$SW/serve.log")"
r=$(as "$N1" b get secret fault-2 -n "$NS" -o name)
echo "$r" | grep -q 'kauthz strict' || fail "after the restart B does not deny the widened read with kauthz's reason: $r"

# --- fault: stale watch (apiserver A frozen) ------------------------------------------------------
kill -STOP "$E2E_APISERVER_PID"
t=$(now)
d=$(until_ready 503 30)
own=$(kauthz_says "${NODE1[@]}" get secrets "$NS" own-secret)
admit=$(as "$N1" b delete pod mine-2 -n "$NS" --grace-period=0 --wait=false)
trap_b=$(code "$N1" b GET "$SECRETS/fault-3")
# Under load while stale: the whole review mix, not one allow.
stale_load="0 allowed, 0 errors (no load generator)"
type lg > /dev/null 2>&1 && stale_load=$(lg --addr "127.0.0.1:$KPORT" --requests 5000 | grep -o '[0-9]* allowed, [0-9]* errors')
kill -CONT "$E2E_APISERVER_PID"
t=$(now)
r=$(until_ready 200 60)
if [ "$d" != never ] && echo "$own" | grep -q '^noopinion .*unconfirmed' && echo "$admit" | grep -q 'failed calling webhook' && [ "$r" != never ] \
  && echo "$stale_load" | grep -q '^0 allowed'; then
  pass "stale watch (A frozen): kauthz unready after ${d}s (--max-staleness $MAX_STALENESS), answers no opinion instead of its allow (5000 reviews under load meanwhile: $stale_load), /admit fails (B refuses node writes), recovered ${r}s after A resumed; B then left the widened read to RBAC: $trap_b"
else
  fail "stale watch: unready after $d; kauthz: $own; node write: $admit; recovery $r; under load: $stale_load"
fi

# --- fault: apiserver A killed and restarted; what changed meanwhile is relisted -------------------
pod_json relist-pod "$N1" relist-secret | "$KUBECTL" create -f - > /dev/null
until_kauthz allow "${NODE1[@]}" get secrets "$NS" relist-secret > /dev/null || fail "kauthz did not see relist-pod"
kill -9 "$E2E_APISERVER_PID"; wait "$E2E_APISERVER_PID" 2>/dev/null
t=$(now)
d=$(until_ready 503 30)
down=$(kauthz_says "${NODE1[@]}" get secrets "$NS" relist-secret)
down_load="0 allowed, 0 errors (no load generator)"
type lg > /dev/null 2>&1 && down_load=$(lg --addr "127.0.0.1:$KPORT" --requests 5000 | grep -o '[0-9]* allowed, [0-9]* errors')
# Deleted through B while A (and kauthz's watches) are down.
"$KUBECTL" --server "$SERVE_B" delete pod relist-pod -n "$NS" --grace-period=0 --force > /dev/null 2>&1
apiserver_start "$E2E_PORT" kube-apiserver --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction
E2E_APISERVER_PID=$!
t2=$(now)
wait_ready "$E2E_SERVER/readyz" "$PKI" 120 || fail "apiserver A did not restart"
a_ready=$(since "$t2")
r=$(until_ready 200 60)
after=$(kauthz_says "${NODE1[@]}" get secrets "$NS" relist-secret)
resyncs=$(kcurl "$KAUTHZ_URL/metrics" | sed -n 's/^kauthz_watch_resyncs_total //p')
if [ "$d" != never ] && echo "$down" | grep -q '^noopinion' && echo "$down_load" | grep -q '^0 allowed' && [ "$r" != never ] && echo "$after" | grep -q '^deny' && [ "${resyncs:-0}" -gt 0 ]; then
  pass "apiserver A killed: kauthz unready after ${d}s, no opinion meanwhile (5000 reviews under load: $down_load); A ready ${a_ready}s after its restart, kauthz ${r}s later, relisted ($resyncs resyncs) without the pod deleted during the outage"
else
  fail "apiserver A killed: unready after $d; during: $down ($down_load); recovery $r; after: $after; resyncs $resyncs"
fi

# --- what kauthz counted ----------------------------------------------------------------------------
m=$(kcurl "$KAUTHZ_URL/metrics")
deny=$(echo "$m" | sed -n 's/^kauthz_decisions_total{mode="strict",result="deny"} //p')
adeny=$(echo "$m" | sed -n 's/^kauthz_admission_reviews_total{result="deny"} //p')
if [ "${deny:-0}" -gt 0 ] && echo "$m" | grep -q '^kauthz_last_event_age_seconds' && echo "$m" | grep -q '^kauthz_ready 1'; then
  pass "kauthz metrics after the faults: strict denials $deny, admission denials ${adeny:-0} (this process), ready, last-event age $(echo "$m" | sed -n 's/^kauthz_last_event_age_seconds //p')s"
else
  fail "kauthz metrics: $(echo "$m" | grep -E 'decisions_total.*strict|ready|resync' | tr '\n' ' ')"
fi

# --- --when-stale error: while stale, the authorization webhook's failurePolicy (Deny) decides ------
kauthz_stop
kauthz_start --when-stale error
if until_ready 200 60 > /dev/null; then
  kill -STOP "$E2E_APISERVER_PID"
  d=$(until_ready 503 30)
  trap_b=$(code "$N1" b GET "$SECRETS/fault-4"); own_b=$(code "$N1" b GET "$SECRETS/own-secret")
  kill -CONT "$E2E_APISERVER_PID"
  r=$(until_ready 200 60)
  if [ "$d" != never ] && { [ "$trap_b" = 403 ] || [ "$trap_b" = 500 ]; } && [ "$own_b" = 200 ] && [ "$r" != never ]; then
    pass "--when-stale error: with A frozen B refuses the widened read (HTTP $trap_b, failurePolicy Deny) where no opinion let RBAC allow it, and still allows the Node authorizer's grants; recovered ${r}s after A resumed"
  else
    fail "--when-stale error: unready after $d; widened read $trap_b; own secret $own_b; recovery $r"
  fi
else
  fail "kauthz --when-stale error did not start: $(tail -3 "$SW/serve.log")"
fi

kauthz_stop
trap 'cluster_down' EXIT
echo "e2e: kauthz serve checks in $(since "$serve_started")s"
