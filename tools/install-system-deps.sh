#!/usr/bin/env bash
# Debian packages the tests use: chromium (the HTML report in a real browser), xvfb (the live window),
# npm (the offline build of the lite and heavy models), espeak-ng (voice cues). Installs only what is missing, only as root.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "posecheck tests: missing ${need[*]}; install them (sudo apt-get install ${need[*]}) or the tests that need them skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
