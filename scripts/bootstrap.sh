#!/usr/bin/env bash
# Makes a fresh clone ready for `npm test` (mode "test"), `npm run reproduce` (mode "reproduce") or
# `npm run lab` (mode "lab", which also needs Jupyter's notebook server):
# system packages via apt-get when running as root (otherwise a message naming them), then `npm ci`
# when node_modules is missing or older than package-lock.json, then the native addon when it can build.
set -euo pipefail
mode=${1:-test}
cd "$(dirname "$0")/.."

say() { echo "optocnn bootstrap: $*" >&2; }

major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
  say "Node.js >= 20 is required (found $(node --version 2>/dev/null || echo none)); install it from your distribution or nodejs.org"
  exit 1
fi

# System packages: native engine (oneDNN, FFT), fashion-mnist for the classification track,
# Jupyter + Chromium for notebooks and static figures.
packages=(g++ make libdnnl-dev libkissfft-dev dataset-fashion-mnist jupyter-nbconvert jupyter-client chromium)
if [ "$mode" = lab ]; then
  # The classic notebook server: Debian's jupyter-notebook, or whichever package apt offers it under.
  server=jupyter-notebook
  for candidate in jupyter-notebook python3-notebook; do
    if apt-cache policy "$candidate" 2>/dev/null | grep -q 'Candidate: [0-9]'; then server=$candidate; break; fi
  done
  packages+=("$server")
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
installed_system=0
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    if apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/optocnn-apt.log 2>&1; then
      installed_system=1
    else
      say "apt-get install failed (log: /tmp/optocnn-apt.log); continuing with what is there"
    fi
  else
    say "missing system packages: ${missing[*]}"
    say "install them by hand (Debian/Ubuntu: sudo apt-get install ${missing[*]});"
    say "without them optocnn falls back to the wasm engine, and notebooks/figures are skipped"
  fi
fi

# npm ci when node_modules is missing or stale relative to the lock file.
stamp=node_modules/.package-lock.json
if [ ! -d node_modules ] || [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  say "running npm ci"
  npm ci --no-audit --no-fund
elif [ $installed_system = 1 ] || ! grep -q '^built' src/engine/native/build/status.txt 2>/dev/null; then
  # Libraries may have appeared since the last install: try the native addon again (never fatal).
  node scripts/build-native.mjs
fi

if [ "$mode" = reproduce ]; then
  command -v jupyter >/dev/null || { say "jupyter-nbconvert is required for notebooks: apt-get install jupyter-nbconvert jupyter-client"; exit 1; }
fi
if [ "$mode" = lab ]; then
  jupyter notebook --version >/dev/null 2>&1 || { say "Jupyter's notebook server is required: apt-get install jupyter-notebook"; exit 1; }
fi
exit 0
