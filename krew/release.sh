#!/usr/bin/env bash
# Builds the krew release archives of `kubectl authz` and the filled-in plugin manifest.
#
#   krew/release.sh VERSION BASE_URL [HOMEPAGE]
#   e.g. krew/release.sh v0.1.0 https://github.com/OWNER/kauthz/releases/download/v0.1.0
#
# For each of linux/darwin × amd64/arm64 it packs kubectl-authz_VERSION_OS_ARCH.tar.gz
# (the binary named `kubectl-authz`, which kauthz recognises as its plugin name) into
# dist/krew/, and writes dist/krew/authz.yaml with each archive's URI (BASE_URL/archive)
# and sha256. Binaries come from KREW_BINARIES=DIR when set (DIR/kauthz-OS-ARCH, e.g. from
# CI runners of each platform), else from `cargo build --release --target T`; a platform
# that cannot be built here (no target or linker installed) is left out of the manifest
# with a note, so the manifest never names an archive that does not exist.
set -euo pipefail
cd "$(dirname "$0")/.."

version=${1:?usage: krew/release.sh VERSION BASE_URL [HOMEPAGE]}
base_url=${2:?usage: krew/release.sh VERSION BASE_URL [HOMEPAGE]}
homepage=${3:-${base_url%%/releases/*}}
case $version in v*) ;; *) version=v$version ;; esac # krew wants a v-prefixed semver
base_url=${base_url%/}
out=${KREW_OUT:-dist/krew}
mkdir -p "$out"
rm -f "$out"/kubectl-authz_*.tar.gz "$out/authz.yaml"

rust_target() {
  case $1/$2 in
    linux/amd64) echo x86_64-unknown-linux-gnu ;;
    linux/arm64) echo aarch64-unknown-linux-gnu ;;
    darwin/amd64) echo x86_64-apple-darwin ;;
    darwin/arm64) echo aarch64-apple-darwin ;;
  esac
}

platforms=""
built=0
for os in linux darwin; do
  for arch in amd64 arm64; do
    bin=""
    if [ -n "${KREW_BINARIES:-}" ]; then
      [ -f "$KREW_BINARIES/kauthz-$os-$arch" ] && bin="$KREW_BINARIES/kauthz-$os-$arch"
    else
      target=$(rust_target "$os" "$arch")
      if ${CARGO:-cargo} build -q --release --locked -p kauthz --target "$target" 2>"$out/build-$os-$arch.log"; then
        bin="${CARGO_TARGET_DIR:-target}/$target/release/kauthz"
      fi
    fi
    if [ -z "$bin" ]; then
      echo "skipped $os/$arch: no binary (set KREW_BINARIES, or install the $os/$arch Rust target and linker)" >&2
      continue
    fi
    stage=$(mktemp -d)
    install -m 0755 "$bin" "$stage/kubectl-authz"
    cp README.md "$stage/README.md"
    archive="kubectl-authz_${version}_${os}_${arch}.tar.gz"
    # Reproducible archives: fixed order, owner and mtime.
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2020-01-01 00:00Z' \
      -C "$stage" -cf - kubectl-authz README.md | gzip -n > "$out/$archive"
    rm -rf "$stage"
    sha=$(sha256sum "$out/$archive" | cut -d' ' -f1)
    platforms+="  - selector:
      matchLabels:
        os: $os
        arch: $arch
    uri: $base_url/$archive
    sha256: $sha
    files:
    - from: kubectl-authz
      to: .
    - from: README.md
      to: .
    bin: kubectl-authz
"
    built=$((built + 1))
    echo "built $out/$archive ($sha)"
  done
done
[ "$built" -gt 0 ] || { echo "no platform could be built" >&2; exit 1; }

# Fill the template line by line: values never pass through sed, so URLs need no escaping.
while IFS= read -r line; do
  case $line in
    "{{PLATFORMS}}") printf '%s' "$platforms" ;;
    *) line=${line//\{\{VERSION\}\}/$version}; printf '%s\n' "${line//\{\{HOMEPAGE\}\}/$homepage}" ;;
  esac
done < krew/authz.yaml.tmpl > "$out/authz.yaml"
echo "wrote $out/authz.yaml ($built platform(s))"
