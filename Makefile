# Entry points named in the README. Everything a target needs is installed or built by
# the target itself, so they work on a fresh machine.

SEEDS ?= 200
CARGO ?= cargo

.PHONY: test example lint conformance selftest bench bench-compare bench-load e2e

## Run every Rust test (unit tests beside the code, CLI integration tests, doc tests).
test:
	$(CARGO) test --workspace --locked

## The main job on the bundled example: the kubelet's complete can-i --list.
example:
	$(CARGO) run --release --locked -q -p kauthz -- can-i --list --as-node kubeletauthz-worker -n kube-system \
		-f examples/kubeletauthz/cluster.yaml -f examples/kubeletauthz/rbac.yaml --with-defaults -o wide

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

## Differential test against upstream Kubernetes v1.37.2 (Go), SEEDS generated clusters.
conformance:
	bash conformance/run.sh --seeds $(SEEDS)

## Proves the harness catches bugs: kauthz built with injected mutants must differ from upstream.
selftest:
	bash conformance/selftest.sh

bench:
	$(CARGO) bench -p kauthz-core --locked

bench-compare:
	bash conformance/bench-compare.sh

## Load time and peak memory of a generated 100k-pod dump through the real binary.
bench-load:
	$(CARGO) build --release --locked -p kauthz --bins --examples
	mkdir -p target/bench-data
	test -s target/bench-data/pods-100k.json || ./target/release/examples/gen_pods 100000 > target/bench-data/pods-100k.json
	/usr/bin/time -v ./target/release/kauthz can-i get secrets/db-1 -n ns-1 --as-node node-1 \
		-f target/bench-data/pods-100k.json 2>&1 | grep -E '^(yes|no)|Elapsed|Maximum resident'

## End to end against a real control plane (etcd, kube-apiserver, kube-controller-manager, kubectl
## built from k8s.io/kubernetes v1.37.2 and cached in ~/.cache/kauthz-e2e; the first build takes
## 15-30 minutes on 2 cores): kauthz's answers against the apiserver's SubjectAccessReviews.
e2e:
	bash e2e/run.sh
