#!/usr/bin/env bash
# Builds one of the Go workloads in this folder: build.sh DIR OUTPUT [GO_TOOLCHAIN]
# Uses the Go on PATH (or $GO), with client_golang and the other modules fetched through the Go
# module proxy into the usual module cache, so a second build is offline and takes a second.
# GO_TOOLCHAIN (for example go1.27.3) selects a Go release fetched through the proxy as well.
set -euo pipefail
dir=$1
out=$2
go=${GO:-$(command -v go || true)}
if [ -z "$go" ] && [ -x /usr/local/go/bin/go ]; then
  go=/usr/local/go/bin/go
fi
if [ -z "$go" ]; then
  echo "No Go toolchain found: install Go 1.26 or newer (https://go.dev/doc/install) or set GO=/path/to/go" >&2
  exit 3
fi
export GOTOOLCHAIN=${3:-${GOTOOLCHAIN:-local}}
# Go 1.26 serves /debug/pprof/goroutineleak only with this experiment; from Go 1.27 it is always there.
# An explicitly empty GOEXPERIMENT builds without it.
case "$(GOFLAGS= "$go" env GOVERSION)" in
  go1.26*) export GOEXPERIMENT=${GOEXPERIMENT-goroutineleakprofile} ;;
esac
export CGO_ENABLED=0
export GOFLAGS="-mod=readonly -buildvcs=false"
cd "$dir"
exec "$go" build -trimpath -o "$out" .
