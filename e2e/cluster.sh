#!/usr/bin/env bash
# Starts (and stops) the e2e control plane on loopback: etcd, kube-apiserver
# (--authorization-mode=Node,RBAC, --enable-admission-plugins=NodeRestriction, client
# certificates and a static token file) and kube-controller-manager (ClusterRole aggregation,
# service accounts, the root CA configmap). Meant to be sourced by e2e/run.sh:
#
#   source e2e/cluster.sh; cluster_up WORKDIR BIN NODE...; ...; cluster_down
#
# WORKDIR receives pki/, kubeconfigs (admin, kcm, node-<n>, node-<n>-inline, node-token), logs
# and the etcd data; every process listens on 127.0.0.1 only, on ports picked free at start.

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# kubeconfig FILE SERVER CA USER [--token T | CERT KEY [inline]]
write_kubeconfig() {
  local file=$1 server=$2 ca=$3 user=$4
  shift 4
  local cred
  if [ "$1" = "--token" ]; then
    cred="    token: $2"
  elif [ "${3:-}" = "inline" ]; then
    cred="    client-certificate-data: $(base64 -w0 < "$1")
    client-key-data: $(base64 -w0 < "$2")"
  else
    cred="    client-certificate: $1
    client-key: $2"
  fi
  cat > "$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster:
    server: $server
    certificate-authority: $ca
contexts:
- name: $user@e2e
  context:
    cluster: e2e
    user: $user
current-context: $user@e2e
users:
- name: $user
  user:
$cred
EOF
}

wait_ready() {
  local url=$1 pki=$2 deadline=$(( $(date +%s) + ${3:-120} ))
  until curl -fsS --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" "$url" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      return 1
    fi
    sleep 1
  done
}

# apiserver_start PORT LOGNAME FLAG...: a kube-apiserver on the cluster's etcd and PKI, serving
# on PORT, with these authorization and admission flags; its pid is $! and is added to
# E2E_PIDS. Several may share the etcd (the e2e runs a second one with kauthz's webhooks).
apiserver_start() {
  local port=$1 name=$2 pki=$E2E_WORK/pki
  shift 2
  "$E2E_BIN/kube-apiserver" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$port" \
    --etcd-servers="$E2E_ETCD" \
    --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
    --client-ca-file="$pki/ca.crt" --token-auth-file="$pki/tokens.csv" \
    --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range=10.96.0.0/16 --endpoint-reconciler-type=none \
    --allow-privileged=true --profiling=false --anonymous-auth=false \
    "$@" >> "$E2E_WORK/logs/$name.log" 2>&1 &
  E2E_PIDS+=("$!")
}

cluster_up() {
  E2E_WORK=$1
  local bin=$2
  shift 2
  local pki=$E2E_WORK/pki
  mkdir -p "$E2E_WORK/logs"
  rm -f "$E2E_WORK"/logs/*.log
  bash "$(dirname "${BASH_SOURCE[0]}")/certs.sh" "$pki" "$@"

  local etcd_port etcd_peer
  etcd_port=$(free_port)
  etcd_peer=$(free_port)
  E2E_PORT=$(free_port)
  E2E_SERVER=https://127.0.0.1:$E2E_PORT

  rm -rf "$E2E_WORK/etcd"
  etcd --name e2e --data-dir "$E2E_WORK/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-cluster "e2e=http://127.0.0.1:$etcd_peer" \
    > "$E2E_WORK/logs/etcd.log" 2>&1 &
  E2E_PIDS=("$!")

  # The token file gives one node a bearer token (TokenReview path of --as-kubeconfig).
  printf 'e2e-token-%s,system:node:%s,uid-%s,"system:nodes"\n' "$1" "$1" "$1" > "$pki/tokens.csv"

  E2E_BIN=$bin
  E2E_ETCD=http://127.0.0.1:$etcd_port
  apiserver_start "$E2E_PORT" kube-apiserver --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction
  E2E_APISERVER_PID=$!

  write_kubeconfig "$E2E_WORK/admin.kubeconfig" "$E2E_SERVER" "$pki/ca.crt" kauthz-e2e-admin "$pki/admin.crt" "$pki/admin.key"
  write_kubeconfig "$E2E_WORK/kcm.kubeconfig" "$E2E_SERVER" "$pki/ca.crt" kcm "$pki/kcm.crt" "$pki/kcm.key"
  for n in "$@"; do
    write_kubeconfig "$E2E_WORK/node-$n.kubeconfig" "$E2E_SERVER" "$pki/ca.crt" "system:node:$n" "$pki/node-$n.crt" "$pki/node-$n.key"
    write_kubeconfig "$E2E_WORK/node-$n-inline.kubeconfig" "$E2E_SERVER" "$pki/ca.crt" "system:node:$n" "$pki/node-$n.crt" "$pki/node-$n.key" inline
  done
  write_kubeconfig "$E2E_WORK/node-token.kubeconfig" "$E2E_SERVER" "$pki/ca.crt" "system:node:$1" --token "e2e-token-$1"
  write_kubeconfig "$E2E_WORK/expired.kubeconfig" "$E2E_SERVER" "$pki/ca.crt" expired "$pki/expired.crt" "$pki/expired.key"

  if ! wait_ready "$E2E_SERVER/readyz" "$pki" 180; then
    echo "e2e: kube-apiserver did not become ready; last log lines:" >&2
    tail -20 "$E2E_WORK/logs/kube-apiserver.log" >&2
    return 1
  fi

  "$bin/kube-controller-manager" --kubeconfig="$E2E_WORK/kcm.kubeconfig" \
    --controllers=clusterrole-aggregation-controller,serviceaccount-controller,serviceaccount-token-controller,root-ca-certificate-publisher-controller \
    --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" \
    --bind-address=127.0.0.1 --secure-port=0 --leader-elect=false --profiling=false \
    > "$E2E_WORK/logs/kube-controller-manager.log" 2>&1 &
  E2E_PIDS+=("$!")
  export KUBECONFIG=$E2E_WORK/admin.kubeconfig
}

cluster_down() {
  local i pid n
  # Reverse order (controllers, apiserver, etcd), each given 10 s to exit before SIGKILL: a
  # terminating kube-apiserver can hang in its graceful shutdown, and a hang here would
  # turn a passed run into a timeout.
  for (( i=${#E2E_PIDS[@]}-1; i>=0; i-- )); do
    pid=${E2E_PIDS[$i]}
    kill "$pid" 2>/dev/null || continue
    for (( n=0; n<100; n++ )); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  E2E_PIDS=()
}
