#!/usr/bin/env bash
# Installs everything certkit needs on a fresh Debian machine, then builds it:
# Debian packages (openssl, redis-server, redis-tools, stunnel4, sslscan, python3, python3-redis, openjdk-17-jdk-headless,
# golang-go, prometheus) used by the tests,
# pnpm 10.34.9, the workspace's pinned dependencies, and the built packages.
set -euo pipefail
cd "$(dirname "$0")/.."

# python3, openjdk-17-jdk-headless (java single-file programs) and golang-go: the real client
# stacks of the differential host-name tests (test/interop/clients-*.test.ts, issue 5).
# prometheus: for promtool only, which checks `certs expiry --format prometheus` output
# (test/e2e/expiry-folders.test.ts); Debian ships promtool in the server's package.
# python3-redis: redis-py, the real cluster client of the topology walk's test
# (test/e2e/topology-cluster.test.ts), and whose connection snippets (test/e2e/snippets*.test.ts)
# and name-check default (test/e2e/client-defaults.test.ts) are run against a real TLS redis-server.
packages=(openssl redis-server redis-tools stunnel4 sslscan python3 python3-redis openjdk-17-jdk-headless golang-go prometheus)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q -o DPkg::Lock::Timeout=300 "${missing[@]}"
  # Installing prometheus starts its server where systemd runs services; only promtool is wanted.
  if [[ " ${missing[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null &&
    systemctl is-active --quiet prometheus 2>/dev/null; then
    $sudo systemctl disable --now prometheus
  fi
fi

if [ "$(pnpm --version 2>/dev/null || true)" != "10.34.9" ]; then
  echo "setup: installing pnpm 10.34.9"
  npm install -g pnpm@10.34.9
fi

pnpm install --frozen-lockfile
pnpm build
