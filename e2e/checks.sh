# Sourced by e2e/run.sh with the control plane up: the watched state follows the cluster,
# and --as-kubeconfig answers for a node's real credential as the apiserver does.
# Uses run.sh's KAUTHZ, KUBECTL, WORK, SNAP, E2E_WORK, pass/fail, now/since, post.

# sar USER GROUPS_JSON VERB RESOURCE NAMESPACE NAME: one SubjectAccessReview line.
sar() {
  printf '{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"%s","groups":%s,"resourceAttributes":{"verb":"%s","resource":"%s","namespace":"%s","name":"%s"}}}\n' "$@"
}

# --- watched state ------------------------------------------------------------------------------
if "$KAUTHZ" review --help 2>/dev/null | grep -q -- '--watch'; then
  coproc KW { exec "$KAUTHZ" review --watch 2> "$WORK/watch.err"; }
  # ask LINE: one answer from the watching kauthz ("true"/"false"), bounded by 60 s.
  ask() {
    echo "$1" >&"${KW[1]}"
    local answer
    IFS= read -r -t 60 answer <&"${KW[0]}" || { echo "timeout"; return; }
    python3 -c 'import json,sys; print(str(json.loads(sys.argv[1]).get("status",{}).get("allowed",False)).lower())' "$answer"
  }
  # until_answer LINE WANT: polls every 20 ms (at most 30 s); prints the seconds it took.
  until_answer() {
    local start got
    start=$(now)
    for _ in $(seq 1 1500); do
      got=$(ask "$1")
      if [ "$got" = "$2" ]; then since "$start"; return 0; fi
      sleep 0.02
    done
    echo "never"
    return 1
  }
  apiserver_says() { echo "$1" | post | python3 -c 'import json,sys; print(str(json.load(sys.stdin)["status"].get("allowed",False)).lower())'; }

  node_sar=$(sar "system:node:e2e-node-1" '["system:nodes","system:authenticated"]' get secrets e2e-ns-0 watch-secret)
  user_sar=$(sar "watch-user" '["system:authenticated"]' list persistentvolumes "" "")
  "$KUBECTL" create secret generic watch-secret -n e2e-ns-0 --from-literal=k=v >/dev/null
  first=$(ask "$node_sar")   # waits for the initial lists
  if [ "$first" = false ] && [ "$(apiserver_says "$node_sar")" = false ]; then
    delays=()
    cat > "$WORK/watch-pod.json" <<'EOF'
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"watch-pod","namespace":"e2e-ns-0"},
 "spec":{"nodeName":"e2e-node-1","containers":[{"name":"c","image":"registry.invalid/e2e:1",
 "env":[{"name":"S","valueFrom":{"secretKeyRef":{"name":"watch-secret","key":"k"}}}]}]}}
EOF
    "$KUBECTL" create -f "$WORK/watch-pod.json" >/dev/null
    d=$(until_answer "$node_sar" true) && delays+=("pod created: ${d}s")
    [ "$(apiserver_says "$node_sar")" = true ] || d=never
    [ "$d" != never ] || fail "watch: the node did not gain the secret after its pod was created"
    "$KUBECTL" delete pod watch-pod -n e2e-ns-0 --grace-period=0 --force >/dev/null 2>&1
    d=$(until_answer "$node_sar" false) && delays+=("pod deleted: ${d}s")
    [ "$d" != never ] || fail "watch: the node kept the secret after its pod was deleted"
    "$KUBECTL" create clusterrole watch-pv-reader --verb=list --resource=persistentvolumes >/dev/null
    "$KUBECTL" create clusterrolebinding watch-pv-reader --clusterrole=watch-pv-reader --user=watch-user >/dev/null
    d=$(until_answer "$user_sar" true) && delays+=("binding created: ${d}s")
    [ "$d" != never ] || fail "watch: a new ClusterRoleBinding was not seen"
    "$KUBECTL" delete clusterrolebinding watch-pv-reader >/dev/null
    d=$(until_answer "$user_sar" false) && delays+=("binding deleted: ${d}s")
    [ "$d" != never ] || fail "watch: a deleted ClusterRoleBinding was still seen"
    "$KUBECTL" create -f - >/dev/null <<'EOF'
{"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"watch-pv"},"spec":{"capacity":{"storage":"1Gi"},
 "accessModes":["ReadWriteOnce"],"csi":{"driver":"csi.e2e.kauthz.dev","volumeHandle":"w",
 "nodePublishSecretRef":{"name":"watch-secret","namespace":"e2e-ns-0"}},"claimRef":{"namespace":"e2e-ns-0","name":"watch-pvc"}}}
EOF
    "$KUBECTL" create -f - >/dev/null <<'EOF'
{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"watch-pvc","namespace":"e2e-ns-0"},
 "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}},"volumeName":"watch-pv","storageClassName":""}}
EOF
    cat > "$WORK/watch-pod-pvc.json" <<'EOF'
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"watch-pod","namespace":"e2e-ns-0"},
 "spec":{"nodeName":"e2e-node-1","containers":[{"name":"c","image":"registry.invalid/e2e:1"}],
 "volumes":[{"name":"v","persistentVolumeClaim":{"claimName":"watch-pvc"}}]}}
EOF
    "$KUBECTL" create -f "$WORK/watch-pod-pvc.json" >/dev/null
    d=$(until_answer "$node_sar" true) && delays+=("pod -> PVC -> PV -> secret: ${d}s")
    [ "$(apiserver_says "$node_sar")" = true ] || d=never
    [ "$d" != never ] || fail "watch: the node did not gain the PV's secret through its pod's claim"
    "$KUBECTL" delete pv watch-pv --wait=false >/dev/null 2>&1
    "$KUBECTL" patch pv watch-pv --type=json -p '[{"op":"remove","path":"/metadata/finalizers"}]' >/dev/null 2>&1
    d=$(until_answer "$node_sar" false) && delays+=("PV deleted: ${d}s")
    [ "$d" != never ] || fail "watch: the node kept the secret after the PV was deleted"
    "$KUBECTL" delete pod watch-pod -n e2e-ns-0 --grace-period=0 --force >/dev/null 2>&1
    if [ "${#delays[@]}" = 6 ]; then
      pass "watched state follows the cluster ($(IFS=';'; echo "${delays[*]}" | sed 's/;/; /g'))"
    fi
  else
    fail "watch: unexpected first answers (kauthz $first; stderr: $(tail -2 "$WORK/watch.err"))"
  fi
  exec {KW[1]}>&-
  wait "$KW_PID" 2>/dev/null
fi

# --- whose credential is this --------------------------------------------------------------------
if "$KAUTHZ" can-i --help 2>/dev/null | grep -q -- '--as-kubeconfig'; then
  node=e2e-node-1
  # Offline (certificate) and live (TokenReview for the token kubeconfig) agree with --as-node.
  want=$("$KAUTHZ" can-i --list --as-node "$node" -n e2e-ns-0 -f "$SNAP" -o json 2>/dev/null)
  got_file=$("$KAUTHZ" can-i --list --as-kubeconfig "$E2E_WORK/node-$node.kubeconfig" -n e2e-ns-0 -f "$SNAP" -o json 2>&1)
  got_inline=$("$KAUTHZ" can-i --list --as-kubeconfig "$E2E_WORK/node-$node-inline.kubeconfig" -n e2e-ns-0 -f "$SNAP" -o json 2>&1)
  got_token=$("$KAUTHZ" can-i --list --as-kubeconfig "$E2E_WORK/node-token.kubeconfig" -n e2e-ns-0 -o json 2>"$WORK/token.err")
  if [ -n "$want" ] && [ "$want" = "$got_file" ] && [ "$want" = "$got_inline" ]; then
    pass "--as-kubeconfig: the node's client certificate (file and inline) is system:node:$node in system:nodes"
  else
    fail "--as-kubeconfig: certificate identity differs from --as-node"
  fi
  # The token kubeconfig belongs to NODES[0] through the static token file.
  want_token=$("$KAUTHZ" can-i --list --as-node "${NODES[0]}" -n e2e-ns-0 -o json 2>/dev/null)
  if [ -n "$got_token" ] && [ "$got_token" = "$want_token" ]; then
    pass "--as-kubeconfig: a token kubeconfig is resolved live through a TokenReview"
  else
    fail "--as-kubeconfig: TokenReview identity ($(tail -2 "$WORK/token.err"))"
  fi
  out=$("$KAUTHZ" can-i get pods --as-kubeconfig "$E2E_WORK/expired.kubeconfig" -f "$SNAP" 2>&1); code=$?
  if [ "$code" = 2 ] && echo "$out" | grep -q "expired.kubeconfig" && echo "$out" | grep -q "expired at"; then
    pass "--as-kubeconfig: an expired certificate is an error naming the file"
  else
    fail "--as-kubeconfig: expired certificate gave exit $code: $out"
  fi
  # Every concrete row of the node's list, confirmed by the apiserver acting as that node.
  echo "$got_file" | python3 -c '
import json, sys
review = json.load(sys.stdin)
CLUSTER_SCOPED = {"nodes", "persistentvolumes", "namespaces", "volumeattachments", "csinodes", "csidrivers",
                  "resourceslices", "certificatesigningrequests", "clusterroles", "clusterrolebindings"}
for rule in review.get("status", {}).get("resourceRules", []):
    names = rule.get("resourceNames") or []
    for verb in rule.get("verbs", []):
        if verb == "*" or not names:
            continue
        for group in rule.get("apiGroups", [""]):
            for res in rule.get("resources", []):
                if "*" in res or "*" in group:
                    continue
                r, _, sub = res.partition("/")
                full = r if not group else f"{r}.{group}"
                for n in names:
                    # Rows scoped by a field selector (kubectl auth can-i cannot ask those) are
                    # covered by the SubjectAccessReview comparison instead.
                    if " " in n or n.startswith("fieldSelector"):
                        continue
                    ns = "" if r in CLUSTER_SCOPED else "e2e-ns-0"
                    print(verb, f"{full}/{n}", ns or "-", sub)
' | sort -u > "$WORK/node-rows.txt"
  rows=0; wrong=0
  while read -r verb target ns sub; do
    rows=$((rows + 1))
    args=("$verb" "$target" --kubeconfig "$E2E_WORK/node-$node.kubeconfig")
    # Cluster-scoped: -A, as kubectl otherwise sends the context's namespace, which the Node
    # authorizer does not find on a cluster-scoped object.
    if [ "$ns" = - ]; then args+=(-A); else args+=(-n "$ns"); fi
    [ -n "$sub" ] && args+=(--subresource "$sub")
    if [ "$("$KUBECTL" auth can-i "${args[@]}" 2>/dev/null)" != yes ]; then
      wrong=$((wrong + 1)); echo "  apiserver says no: kubectl auth can-i ${args[*]}"
    fi
  done < "$WORK/node-rows.txt"
  if [ "$rows" -gt 0 ] && [ "$wrong" = 0 ]; then
    pass "can-i --list for $node's kubeconfig: all $rows concrete rows confirmed by the apiserver acting as the node"
  else
    fail "can-i --list for $node's kubeconfig: $wrong of $rows rows refused by the apiserver"
  fi
fi

# --- a credential that may not list everything ---------------------------------------------------
if "$KAUTHZ" snapshot --help >/dev/null 2>&1; then
  out=$("$KAUTHZ" snapshot --kubeconfig "$E2E_WORK/node-e2e-node-2.kubeconfig" -o "$WORK/node-snapshot.json" 2>&1); code=$?
  mark=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["metadata"].get("annotations",{}).get("kauthz.dev/incomplete",""))' "$WORK/node-snapshot.json" 2>/dev/null)
  warn=$("$KAUTHZ" can-i get pods --as u -f "$WORK/node-snapshot.json" 2>&1 >/dev/null)
  if [ "$code" = 0 ] && echo "$out" | grep -q 'cannot list secrets: forbidden' && echo "$mark" | grep -q '^.*secrets: forbidden' \
    && echo "$warn" | grep -q 'incomplete snapshot'; then
    pass "snapshot with a node's credential: forbidden kinds named ($(echo "$mark" | grep -o '[a-z0-9.]*: forbidden' | cut -d: -f1 | tr '\n' ' ')), marked, and warned on use"
  else
    fail "snapshot with a node's credential (exit $code): $(echo "$out" | tail -3)"
  fi
fi
