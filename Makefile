# Entry points named in the README. Everything a target needs is installed or built by
# the target itself, so they work on a fresh machine.

SEEDS ?= 200
FUZZ_SECONDS ?= 20
CARGO ?= cargo

.PHONY: test test-html krew example lint conformance selftest bench bench-compare bench-load bench-scale bench-serve fuzz e2e

## Run every Rust test (unit tests beside the code, CLI integration tests, doc tests).
test:
	$(CARGO) test --workspace --locked

## The main job on the bundled example: the kubelet's complete can-i --list.
example:
	$(CARGO) run --release --locked -q -p kauthz -- can-i --list --as-node kubeletauthz-worker -n kube-system \
		-f examples/kubeletauthz/cluster.yaml -f examples/kubeletauthz/rbac.yaml --with-defaults -o wide

## The blast-radius HTML page in headless Chromium (installed from Debian's packages when
## missing); screenshots in target/html-check/.
test-html:
	bash crates/kauthz/tests/html/check.sh

## krew release archives and the filled-in plugin manifest in dist/krew/:
##   make krew VERSION=v0.1.0 BASE_URL=https://github.com/OWNER/kauthz/releases/download/v0.1.0
krew:
	bash krew/release.sh "$(VERSION)" "$(BASE_URL)"

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked --features kauthz/sample -- -D warnings

## Differential test against upstream Kubernetes v1.37.2 (Go), SEEDS generated clusters.
conformance:
	bash conformance/run.sh --seeds $(SEEDS)

## Proves the harness catches bugs: kauthz built with injected mutants must differ from upstream.
selftest:
	bash conformance/selftest.sh

bench:
	$(CARGO) bench -p kauthz-core --locked --features sample

bench-compare:
	bash conformance/bench-compare.sh

# Where the bench targets find cargo's binaries and keep their data: the target dir cargo
# builds into (CARGO_TARGET_DIR when set), so a worktree with its own target dir benchmarks its
# own build. Expanded by the recipe's shell.
BT = $${CARGO_TARGET_DIR:-target}

## Load time and peak memory of a generated 100k-pod dump through the real binary.
bench-load:
	$(CARGO) build --release --locked -p kauthz --bins --examples
	mkdir -p $(BT)/bench-data
	test -s $(BT)/bench-data/pods-100k.json || $(BT)/release/examples/gen_pods 100000 > $(BT)/bench-data/pods-100k.json
	/usr/bin/time -v $(BT)/release/kauthz can-i get secrets/db-1 -n ns-1 --as-node node-1 \
		-f $(BT)/bench-data/pods-100k.json 2>&1 | grep -E '^(yes|no)|Elapsed|Maximum resident'

## GKE's maximum scale through the real binary: a generated whole-cluster `kubectl get -A -o json`
## dump (65,000 nodes, 1,000,000 pods with their secrets, configmaps, PVCs, PVs, VolumeAttachments,
## ResourceSlices and RBAC; about 2.9 GB, kept in bench-data/ under the target dir) loaded by `kauthz can-i -v`
## (load time, state-build time, peak RSS), then decision latency over random requests
## (examples/bench_scale.rs) at 1M pods and at 100k pods (6,500 nodes) for comparison.
SCALE_NODES ?= 65000
SCALE_PODS ?= 1000000
bench-scale:
	$(CARGO) build --release --locked -p kauthz --bins --examples
	mkdir -p $(BT)/bench-data
	test -s $(BT)/bench-data/cluster-$(SCALE_PODS).json || $(BT)/release/examples/gen_cluster $(SCALE_NODES) $(SCALE_PODS) > $(BT)/bench-data/cluster-$(SCALE_PODS).json
	test -s $(BT)/bench-data/cluster-100000.json || $(BT)/release/examples/gen_cluster 6500 100000 > $(BT)/bench-data/cluster-100000.json
	@ls -l $(BT)/bench-data/cluster-$(SCALE_PODS).json
	/usr/bin/time -v $(BT)/release/kauthz can-i get secrets/app-secret-0 -n ns-0 --as-node node-0 -v \
		-f $(BT)/bench-data/cluster-$(SCALE_PODS).json 2>&1 | grep -E '^(yes|no)|^loaded|^built|Elapsed|Maximum resident'
	$(BT)/release/examples/bench_scale --data $(BT)/bench-data/cluster-100000.json --nodes 6500 --pods 100000
	$(BT)/release/examples/bench_scale --data $(BT)/bench-data/cluster-$(SCALE_PODS).json --nodes $(SCALE_NODES) --pods $(SCALE_PODS) --probe-memory

## Webhook throughput and latency: kauthz serve (strict mode, HTTPS, the 100k-pod data set)
## under a bounded loopback load generator (8 keep-alive connections, 200k SARs).
bench-serve:
	$(CARGO) build --release --locked -p kauthz --bins --examples
	$(CARGO) build --release --locked -p kauthz-server --example loadgen
	mkdir -p $(BT)/bench-data
	test -s $(BT)/bench-data/pods-100k.json || $(BT)/release/examples/gen_pods 100000 > $(BT)/bench-data/pods-100k.json
	test -s $(BT)/bench-data/certs/tls.crt || $(BT)/release/examples/loadgen certs $(BT)/bench-data/certs
	$(BT)/release/examples/loadgen mix --nodes 500 --pods 100000 > $(BT)/bench-data/mix.jsonl
	bash -c 'set -e; D=$(BT)/bench-data; $(BT)/release/kauthz serve -f $$D/pods-100k.json --mode strict \
	  --listen 127.0.0.1:18444 --tls-cert-file $$D/certs/tls.crt --tls-private-key-file $$D/certs/tls.key 2>$$D/serve.log & pid=$$!; \
	  trap "kill $$pid" EXIT; for i in $$(seq 1 120); do grep -q listening $$D/serve.log && break; sleep 1; done; \
	  $(BT)/release/examples/loadgen run --addr 127.0.0.1:18444 --ca $$D/certs/ca.crt --mix $$D/mix.jsonl --connections 8 --requests 200000'
	$(CARGO) build --release --locked -p kauthz-server --example contention
	# Decisions with and without a writer applying 1000 pod updates/s (the watched state's lock).
	$(BT)/release/examples/contention 20000 2 2 1000

## Every fuzz target for FUZZ_SECONDS each (cargo-fuzz on the nightly toolchain; installs
## cargo-fuzz when missing). Long runs: `make fuzz FUZZ_SECONDS=3600` (see fuzz/README.md).
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run.sh

## End to end against a real control plane (etcd, kube-apiserver, kube-controller-manager, kubectl
## built from k8s.io/kubernetes v1.37.2 and cached in ~/.cache/kauthz-e2e; the first build takes
## 15-30 minutes on 2 cores): kauthz's answers against the apiserver's SubjectAccessReviews.
e2e:
	bash e2e/run.sh
