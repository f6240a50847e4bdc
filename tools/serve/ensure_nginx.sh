#!/usr/bin/env bash
# Debian's nginx for `make serve` and tests/slow/test_serve.py; installed through apt when missing, as
# tools/ensure_browser.sh installs chromium (root: apt-get; otherwise sudo when it needs no password).
# Installing the package does not configure it: the launcher writes its own nginx.conf into its run folder.
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "nginx missing: run 'sudo apt-get install nginx-light' (or nginx), then 'make serve' again" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null
