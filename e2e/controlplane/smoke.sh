#!/usr/bin/env bash
# A manual check of the control plane that build.sh makes: etcd and kube-apiserver (RBAC on) on
# loopback with certificates made here, the LeakPolicy CRD applied, a valid policy accepted and a
# bad one refused by the server's schema. Everything runs under a temporary folder and stops on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(bash "$here/build.sh")
work=$(mktemp -d)
cd "$work"
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
cert() { # name subject [extfile]
  openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 1 ${3:+-extfile $3} 2>/dev/null
}
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 1 -subj "/CN=leakguard-ca" 2>/dev/null
echo "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc,IP:10.0.0.1" > san.cnf
cert apiserver "/CN=kube-apiserver" san.cnf
cert admin "/CN=admin/O=system:masters"
openssl genrsa -out sa.key 2048 2>/dev/null && openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
"$bin/etcd" --data-dir etcd --listen-client-urls http://127.0.0.1:23790 --advertise-client-urls http://127.0.0.1:23790 \
  --listen-peer-urls http://127.0.0.1:23800 > etcd.log 2>&1 &
"$bin/kube-apiserver" --etcd-servers=http://127.0.0.1:23790 --secure-port=16443 --bind-address=127.0.0.1 \
  --advertise-address=127.0.0.1 --endpoint-reconciler-type=none --authorization-mode=RBAC,Node \
  --client-ca-file=ca.crt --tls-cert-file=apiserver.crt --tls-private-key-file=apiserver.key \
  --service-account-key-file=sa.pub --service-account-signing-key-file=sa.key \
  --service-account-issuer=https://kubernetes.default.svc --service-cluster-ip-range=10.0.0.0/24 \
  --cert-dir="$work/certs" > apiserver.log 2>&1 &
cat > kubeconfig <<KC
apiVersion: v1
kind: Config
clusters: [{name: local, cluster: {server: "https://127.0.0.1:16443", certificate-authority: $work/ca.crt}}]
users: [{name: admin, user: {client-certificate: $work/admin.crt, client-key: $work/admin.key}}]
contexts: [{name: local, context: {cluster: local, user: admin}}]
current-context: local
KC
k() { "$bin/kubectl" --kubeconfig kubeconfig "$@"; }
for _ in $(seq 60); do k get --raw /readyz >/dev/null 2>&1 && break; sleep 1; done
k version
k apply -f "$here/../../crds/leakpolicies.leakguard.io-v1.yml"
k wait --for condition=established crd/leakpolicies.leakguard.io --timeout=30s
k create namespace shop
k apply -f "$here/../../examples/go-service.yaml"
if sed 's/confidence: 0.99/confidence: 1.5/' "$here/../../examples/go-service.yaml" | k apply -f - 2>refused.txt; then
  echo "the server accepted confidence 1.5" >&2
  exit 1
fi
cat refused.txt
k get leakpolicies -A
