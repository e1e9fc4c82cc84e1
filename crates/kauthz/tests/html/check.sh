#!/usr/bin/env bash
# Renders `kauthz blast-radius -o html` pages for the bundled example in headless Chromium
# and checks them after their JavaScript ran: the graph's vertices are drawn, the search
# (driven through the URL fragment `#q=…`) finds vertices, `#node=…` switches the view of an
# --all-nodes page, hostile object names stay text, and no script error happened. Saves
# screenshots under target/html-check/. Installs Chromium from Debian's packages when it is
# missing. Usage: crates/kauthz/tests/html/check.sh   (or `make test-html`)
set -euo pipefail
cd "$(dirname "$0")/../../../.."

out=target/html-check
mkdir -p "$out"

chromium_bin() { command -v chromium || command -v chromium-browser || command -v google-chrome || true; }
if [ -z "$(chromium_bin)" ]; then
  echo "installing chromium (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
CHROMIUM=$(chromium_bin)

${CARGO:-cargo} build -q --locked -p kauthz
kauthz=${CARGO_TARGET_DIR:-target}/debug/kauthz

# blast-radius exits 1 when a node escalates: the page is written either way.
render() { "$kauthz" blast-radius "$@" -o html || [ $? -eq 1 ]; }
render --node kubeletauthz-worker2 -f examples/kubeletauthz/ --with-defaults > "$out/worker2.html"
render --all-nodes -f examples/kubeletauthz/ --with-defaults > "$out/all-nodes.html"
# The README's figure: the example without the AKS scenario, where worker2 escalates through
# the local-path provisioner's account.
render --all-nodes -f examples/kubeletauthz/cluster.yaml -f examples/kubeletauthz/rbac.yaml --with-defaults > "$out/readme.html"
render --all-nodes -f crates/kauthz/tests/data/hostile-names.yaml --with-defaults > "$out/hostile.html"

# A busy node (60 pods, each with its secret, configmap and claim: 240+ vertices) on top of
# the example, for the layout at scale: large groups start collapsed.
{
  echo '{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Node","metadata":{"name":"busy"}}'
  for i in $(seq 0 59); do
    ns=$(( i % 3 ))
    printf ',{"apiVersion":"v1","kind":"Pod","metadata":{"name":"app-%d-5f7c9d8b4-x%02d","namespace":"team-%d"},' "$i" "$i" "$ns"
    printf '"spec":{"nodeName":"busy","serviceAccountName":"app-%d","volumes":[' "$ns"
    printf '{"name":"s","secret":{"secretName":"creds-%d"}},{"name":"c","configMap":{"name":"config-%d"}},' "$i" "$i"
    printf '{"name":"d","persistentVolumeClaim":{"claimName":"data-%d"}}]}}\n' "$i"
  done
  echo ']}'
} > "$out/busy.json"
render --node busy -f "$out/busy.json" -f examples/kubeletauthz/ --with-defaults > "$out/busy.html"

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chrome() {
  # Console messages and uncaught exceptions go to stderr with --enable-logging.
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
    --enable-logging=stderr --v=0 --virtual-time-budget=3000 "$@"
}

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# check PAGE FRAGMENT NAME: dumps the DOM after scripts ran; leaves it in $out/NAME.dom.
check() {
  local page=$1 fragment=$2 name=$3
  chrome --dump-dom "file://$PWD/$page$fragment" > "$out/$name.dom" 2> "$out/$name.log" || fail "$name: chromium failed"
  grep -q 'data-ready="1"' "$out/$name.dom" || fail "$name: the page script did not finish"
  if grep -q 'data-errors=' "$out/$name.dom"; then fail "$name: script errors: $(grep -o 'data-errors="[^"]*"' "$out/$name.dom")"; fi
  if grep -E 'Uncaught|CONSOLE.*(error|Error)' "$out/$name.log"; then fail "$name: console errors"; fi
}
attr() { grep -o "$2=\"[^\"]*\"" "$out/$1.dom" | head -1 | cut -d'"' -f2; }

check "$out/worker2.html" "" worker2
[ "$(attr worker2 data-vertices)" -ge 10 ] || fail "worker2: fewer than 10 vertices drawn"
grep -q '<title>pod kube-system/coredns-5d78c9869d-mcvv7' "$out/worker2.dom" || fail "worker2: pod vertex missing"
grep -q 'class="v esc"' "$out/worker2.dom" || fail "worker2: escalation path not highlighted"
grep -q 'secrets-cluster-wide' "$out/worker2.dom" || fail "worker2: power vertex missing"

check "$out/worker2.html" "#q=coredns" search
[ "$(attr search data-matches)" -ge 2 ] || fail "search: #q=coredns matched fewer than 2 vertices"
grep -q 'class="v match"' "$out/search.dom" || fail "search: no vertex highlighted"
grep -q 'class="v dim"' "$out/search.dom" || fail "search: non-matching vertices not dimmed"

check "$out/readme.html" "#node=kubeletauthz-worker2&select=local-path-storage/local-path-provisioner-service-account" select
grep -q '<div>Leads to:</div>' "$out/select.dom" || fail "select: the details panel lists no outgoing edges"
grep -q '<li>power create-pods-kube-system' "$out/select.dom" || fail "select: the account's power is not in its details"

check "$out/all-nodes.html" "#node=kubeletauthz-worker" all-nodes
[ "$(attr all-nodes data-view)" = kubeletauthz-worker ] || fail "all-nodes: #node= did not select the view"
grep -q '<table class="nodes">' "$out/all-nodes.dom" || fail "all-nodes: node list missing"

check "$out/busy.html" "" busy
drawn=$(attr busy data-vertices)
[ "$drawn" -ge 4 ] && [ "$drawn" -le 120 ] || fail "busy: $drawn vertices drawn (large groups should start collapsed)"
check "$out/busy.html" "#q=creds-42" busy-search
[ "$(attr busy-search data-matches)" = 1 ] || fail "busy-search: #q=creds-42 should find the one secret in a collapsed group"

check "$out/hostile.html" "" hostile
if grep -Eq '<script>alert|<img|<b>bold' "$out/hostile.dom"; then fail "hostile: a name became markup"; fi
grep -q 'alert(&quot;pod&quot;)\|alert("pod")' "$out/hostile.dom" || fail "hostile: the hostile pod name is not shown as text"

chrome --window-size=1600,1000 --screenshot="$PWD/$out/blast-radius-worker2.png" "file://$PWD/$out/worker2.html" 2>/dev/null
chrome --window-size=1600,1000 --screenshot="$PWD/$out/blast-radius-search.png" "file://$PWD/$out/worker2.html#q=kube-system" 2>/dev/null
chrome --window-size=1600,1000 --screenshot="$PWD/$out/blast-radius-all-nodes.png" "file://$PWD/$out/all-nodes.html" 2>/dev/null
chrome --window-size=1600,900 --screenshot="$PWD/$out/blast-radius-readme.png" "file://$PWD/$out/readme.html#node=kubeletauthz-worker2" 2>/dev/null
chrome --window-size=1600,1000 --screenshot="$PWD/$out/blast-radius-busy.png" "file://$PWD/$out/busy.html#q=app-1" 2>/dev/null
for png in "$out"/*.png; do [ -s "$png" ] || fail "screenshot $png missing"; done

if [ "$failures" -gt 0 ]; then
  echo "html check: $failures failure(s)" >&2
  exit 1
fi
echo "html check: ok (screenshots in $out/)"
