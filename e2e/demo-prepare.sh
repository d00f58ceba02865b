#!/usr/bin/env bash
# Checks what the LeakGuard demo needs on this machine, installs what it safely can (Alertmanager, as
# root on Debian or Ubuntu), and says exactly what is missing otherwise. Exit 0: run the demo with
#   ./mvnw -B -Pdemo -DskipTests verify
# Exit 2: something is missing; each line above says what and how to get it.
set -u
missing=0
ok() { printf '  ok       %s\n' "$1"; }
need() { printf '  MISSING  %s\n' "$1"; missing=1; }
note() { printf '  note     %s\n' "$1"; }

echo "The LeakGuard demo runs a real Kubernetes control plane on loopback, LeakGuard installed by Helm, and"
echo "Go services as real processes under real memory limits (cgroups). It needs:"

[ "$(uname -s)" = Linux ] && ok "Linux" || need "Linux (memory cgroups and the kernel's OOM killer); this is $(uname -s)"

if command -v java >/dev/null 2>&1; then
  jv=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
  [ "${jv:-0}" -ge 17 ] && ok "Java $jv" || need "Java 17 or newer (found $jv): apt-get install openjdk-17-jdk-headless"
else
  need "Java 17 or newer: apt-get install openjdk-17-jdk-headless (or any JDK 17+)"
fi

go_bin=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
if [ -x "$go_bin" ]; then
  gv=$("$go_bin" env GOVERSION 2>/dev/null | sed 's/^go//')
  major=${gv%%.*}; rest=${gv#*.}; minor=${rest%%.*}
  if [ "${major:-0}" -gt 1 ] || { [ "${major:-0}" -eq 1 ] && [ "${minor:-0}" -ge 26 ]; }; then
    ok "Go $gv ($go_bin)"
  else
    need "Go 1.26 or newer (found $gv at $go_bin): from https://go.dev/dl/, or set GOTOOLCHAIN=go1.27.3 to let this Go fetch it"
  fi
else
  need "Go 1.26 or newer: https://go.dev/dl/ (untar into /usr/local, or set GO=/path/to/go)"
fi

command -v openssl >/dev/null 2>&1 && ok "openssl" || need "openssl (the control plane's certificates): apt-get install openssl"

# Memory cgroups the demo may create: v1 as root, or v2 as root, in a delegated subtree, or through systemd.
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  if ! grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
    need "cgroup v2's memory controller (not listed in /sys/fs/cgroup/cgroup.controllers)"
  elif [ "$(id -u)" = 0 ]; then
    ok "cgroup v2, as root"
  else
    own=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
    if [ -w "$own/cgroup.subtree_control" ] && [ -w "$own/cgroup.procs" ]; then
      ok "cgroup v2, delegated subtree $own"
    elif command -v systemd-run >/dev/null 2>&1 && systemctl --user show-environment >/dev/null 2>&1; then
      ok "cgroup v2 through your systemd user session (each pod in a scope with MemoryMax)"
    else
      need "a memory cgroup you may create: run as root (sudo), or log in with a systemd user session, or start a shell with 'systemd-run --user --scope -p Delegate=yes bash'"
    fi
  fi
elif [ -d /sys/fs/cgroup/memory ]; then
  [ -w /sys/fs/cgroup/memory ] && ok "cgroup v1 memory controller, writable" \
    || need "cgroup v1's memory controller is not writable by you: run the demo as root (sudo)"
else
  need "a cgroup filesystem at /sys/fs/cgroup"
fi

if command -v curl >/dev/null 2>&1; then
  proxy=$("$go_bin" env GOPROXY 2>/dev/null || echo https://proxy.golang.org)
  proxy=${proxy%%,*}
  [ "$proxy" = direct ] || [ -z "$proxy" ] && proxy=https://proxy.golang.org
  if curl -fsS -o /dev/null --max-time 10 "$proxy/github.com/prometheus/client_golang/@v/list" 2>/dev/null; then
    ok "the Go module proxy answers (the control plane and the workload are built from source)"
  else
    need "the Go module proxy (proxy.golang.org, or GOPROXY): the first run builds the control plane from source"
  fi
fi

if [ -x /usr/bin/prometheus-alertmanager ]; then
  ok "Alertmanager (optional)"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "  install  prometheus-alertmanager (optional; Debian/Ubuntu)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus-alertmanager >/dev/null 2>&1 \
    && ok "Alertmanager installed" || note "Alertmanager could not be installed; the demo sends Slack messages only"
else
  note "Alertmanager is optional (sudo apt-get install prometheus-alertmanager); without it, Slack messages only"
fi

cache=${LEAKGUARD_K8S_CACHE:-$HOME/.cache/leakguard}/k8s
if ls -d "$cache"/*/ >/dev/null 2>&1; then
  note "control plane cached in $cache: a run takes about 4 minutes"
else
  note "first run: the control plane is built from source (about 8 minutes on 2 cores) and cached in $cache; then about 4 minutes a run"
fi

if [ "$missing" = 0 ]; then
  echo "Ready. Run the demo with:  ./mvnw -B -Pdemo -DskipTests verify"
  exit 0
fi
echo "Not ready: install what is MISSING above, then run this again."
exit 2
