#!/usr/bin/env bash
# Generates the e2e control plane's PKI into DIR with openssl:
#   ca.{crt,key}                 the cluster CA (client and serving)
#   apiserver.{crt,key}          serving certificate for 127.0.0.1 / localhost / kubernetes.default.svc
#   admin.{crt,key}              CN=kauthz-e2e-admin, O=system:masters
#   kcm.{crt,key}                CN=system:kube-controller-manager, O=system:masters (the e2e's only
#                                controller; its own RBAC role would do, masters keeps the setup short)
#   node-<n>.{crt,key}           CN=system:node:<n>, O=system:nodes, for every node name given
#   kauthz.{crt,key}             serving certificate of `kauthz serve` for 127.0.0.1 and kauthz.kauthz-system.svc
#   webhook-client.{crt,key}     CN=kube-apiserver-webhook: the apiserver's client certificate towards kauthz
#   sa.{key,pub}                 the service-account signing key pair
#   expired.{crt,key}            a node certificate that expired in 2020 (for --as-kubeconfig's error path)
#
#   bash e2e/certs.sh DIR NODE...
set -euo pipefail
DIR=$1
shift
mkdir -p "$DIR"
cd "$DIR"

key() { openssl genrsa -out "$1" 2048 2>/dev/null; }

if [ ! -s ca.crt ]; then
  key ca.key
  openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/CN=kauthz-e2e-ca" -out ca.crt 2>/dev/null
fi

# client CERT_NAME SUBJECT [DAYS]
client() {
  [ -s "$1.crt" ] && return 0
  key "$1.key"
  openssl req -new -key "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
  printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n' > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days "${3:-365}" -sha256 \
    -extfile "$1.ext" -out "$1.crt" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

if [ ! -s apiserver.crt ]; then
  key apiserver.key
  openssl req -new -key apiserver.key -subj "/CN=kube-apiserver" -out apiserver.csr 2>/dev/null
  cat > apiserver.ext <<'EOF'
extendedKeyUsage=serverAuth
keyUsage=critical,digitalSignature,keyEncipherment
subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
EOF
  openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 -sha256 \
    -extfile apiserver.ext -out apiserver.crt 2>/dev/null
  rm -f apiserver.csr apiserver.ext
fi

if [ ! -s kauthz.crt ]; then
  key kauthz.key
  openssl req -new -key kauthz.key -subj "/CN=kauthz" -out kauthz.csr 2>/dev/null
  printf '%s\n' 'extendedKeyUsage=serverAuth' 'keyUsage=critical,digitalSignature,keyEncipherment' \
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kauthz.kauthz-system.svc' > kauthz.ext
  openssl x509 -req -in kauthz.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 -sha256 \
    -extfile kauthz.ext -out kauthz.crt 2>/dev/null
  rm -f kauthz.csr kauthz.ext
fi

client admin "/O=system:masters/CN=kauthz-e2e-admin"
client webhook-client "/CN=kube-apiserver-webhook"
client kcm "/O=system:masters/CN=system:kube-controller-manager"
for n in "$@"; do
  client "node-$n" "/O=system:nodes/CN=system:node:$n"
done

if [ ! -s expired.crt ]; then
  # OpenSSL 3.0's x509 cannot backdate; `openssl ca` takes explicit start and end dates.
  key expired.key
  openssl req -new -key expired.key -subj "/O=system:nodes/CN=system:node:expired" -out expired.csr 2>/dev/null
  mkdir -p ca-db
  : > ca-db/index.txt
  echo 01 > ca-db/serial
  printf '%s\n' '[ca]' 'default_ca = e2e' '[e2e]' 'database = ca-db/index.txt' 'new_certs_dir = ca-db' \
    'serial = ca-db/serial' 'default_md = sha256' 'policy = any' 'unique_subject = no' \
    '[any]' 'commonName = supplied' 'organizationName = optional' > ca-db/ca.cnf
  openssl ca -batch -config ca-db/ca.cnf -cert ca.crt -keyfile ca.key -in expired.csr -out expired.crt \
    -startdate 20200101000000Z -enddate 20200102000000Z -notext 2>/dev/null
  rm -rf expired.csr ca-db
fi

if [ ! -s sa.key ]; then
  key sa.key
  openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
fi
