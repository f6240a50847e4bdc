#!/usr/bin/env bash
# Debian's chromium and CJK fonts for the real-browser test; installed through apt when missing (CI runs as root).
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium or fonts-noto-cjk missing: run 'sudo apt-get install chromium fonts-noto-cjk'" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
