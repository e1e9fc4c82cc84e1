#!/usr/bin/env bash
# Builds the e2e control plane from k8s.io/kubernetes v1.37.2 through the Go module proxy:
# kube-apiserver, kube-controller-manager and kubectl (the upstream mains, e2e/bins/cmd/),
# into a per-version cache so later runs reuse them:
#
#   ${KAUTHZ_E2E_CACHE:-${XDG_CACHE_HOME:-~/.cache}/kauthz-e2e}/v1.37.2/bin/
#
# The first build is the long part (kube-apiserver: 8-15 minutes on 2 cores; the build
# runs with -p 1 so it never competes with itself). A stamp of the module files decides
# whether the cache is current. Prints the bin directory on stdout.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VERSION=v1.37.2
CACHE=${KAUTHZ_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kauthz-e2e}/$VERSION
BIN=$CACHE/bin
mkdir -p "$BIN"

command -v go >/dev/null || { echo "e2e/build.sh: go is required (apt-get install golang, or Go 1.26)" >&2; exit 1; }

stamp=$(cd "$ROOT/e2e/bins" && find . \( -name '*.go' -o -name go.mod -o -name go.sum \) -print \
  | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)
if [ "$(cat "$BIN/.stamp" 2>/dev/null)" = "$stamp" ] \
  && [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/kube-controller-manager" ] && [ -x "$BIN/kubectl" ]; then
  echo "$BIN"
  exit 0
fi

# The version the binaries report (kubectl's skew check, /version, the apiserver's
# emulation version) comes from these ldflags, as upstream's hack/lib/version.sh sets them.
ldflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=37"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

start=$(date +%s)
echo "e2e: building kube-apiserver, kube-controller-manager, kubectl $VERSION into $BIN (first build takes 10-20 minutes)" >&2
# One `go build` for the three shares every common package; -p 1 keeps it to one compile
# at a time on shared machines. -trimpath keeps the cached binaries independent of paths.
(cd "$ROOT/e2e/bins" && GOFLAGS=-mod=readonly go build -p 1 -trimpath -ldflags "$ldflags" -o "$BIN/" \
  ./cmd/kube-apiserver ./cmd/kube-controller-manager ./cmd/kubectl) >&2
echo "$stamp" > "$BIN/.stamp"
echo "e2e: built in $(( $(date +%s) - start ))s" >&2
echo "$BIN"
