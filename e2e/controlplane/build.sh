#!/usr/bin/env bash
# Builds a real Kubernetes control plane from source, once per machine, into a cache folder named
# after the versions: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kubectl.
# Everything comes from the Go module proxy. Prints the folder on stdout; progress goes to stderr.
#   e2e/controlplane/build.sh            build (or reuse) the binaries
#   LEAKGUARD_K8S_CACHE=DIR              cache root (default ~/.cache/leakguard)
set -euo pipefail
K8S_VERSION=${K8S_VERSION:-v1.36.3}
ETCD_VERSION=${ETCD_VERSION:-v3.6.6}
root=${LEAKGUARD_K8S_CACHE:-$HOME/.cache/leakguard}
out="$root/k8s/$K8S_VERSION-etcd-$ETCD_VERSION"
bins="etcd kube-apiserver kube-controller-manager kube-scheduler kubectl"
done_all=1
for b in $bins; do [ -x "$out/$b" ] || done_all=0; done
if [ $done_all = 1 ]; then
  echo "$out"
  exit 0
fi
go=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
if ! [ -x "$go" ]; then
  echo "No Go toolchain: install Go 1.26 or newer (https://go.dev/doc/install) or set GO=/path/to/go" >&2
  exit 3
fi
export CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=${GOTOOLCHAIN:-auto}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
start=$(date +%s)
say() { echo "[controlplane $(( $(date +%s) - start ))s] $*" >&2; }

say "building etcd $ETCD_VERSION (first build: a few minutes on 2 cores)"
mkdir -p "$work/etcd" && cd "$work/etcd"
"$go" mod init leakguard.io/controlplane/etcd >/dev/null 2>&1
"$go" get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >&2
"$go" build -trimpath -o "$out/etcd" go.etcd.io/etcd/server/v3 >&2

say "resolving k8s.io/kubernetes $K8S_VERSION and its staging modules"
mkdir -p "$work/k8s" && cd "$work/k8s"
"$go" mod init leakguard.io/controlplane/k8s >/dev/null 2>&1
staging=${K8S_VERSION/v1./v0.}
# k8s.io/kubernetes points each staging module at ./staging/src/...: replace every one of them
# with the matching v0.x release, as its go.mod lists them.
"$go" mod download -json "k8s.io/kubernetes@$K8S_VERSION" > "$work/k8s.json"
gomod=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["GoMod"])' "$work/k8s.json")
grep -E '^\s*k8s.io/[a-z0-9-]+ => ./staging/' "$gomod" | awk '{print $1}' | while read -r m; do
  echo "replace $m => $m $staging" >> go.mod
done
echo "require k8s.io/kubernetes $K8S_VERSION" >> go.mod
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
"$go" mod tidy >&2
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)"
for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  say "building $b $K8S_VERSION"
  "$go" build -trimpath -ldflags "$ldflags" -o "$out/$b" "k8s.io/kubernetes/cmd/$b" >&2
done
say "done: $(du -sh "$out" | cut -f1) in $out"
echo "$out"
