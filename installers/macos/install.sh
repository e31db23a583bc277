#!/bin/sh
# Installs the agent on a Mac from this folder without the .pkg: sudo ./install.sh [--onboarding FILE]
# (the package defaults to onboarding.json next to this script). Re-running upgrades and keeps the identity.
# ATTACHE_ROOT=/scratch installs into a scratch folder and never calls launchctl (tests).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
attache_root="${ATTACHE_ROOT:-}"
. "$here/scripts/common.sh"
onboarding="$here/onboarding.json"
case "${1:-}" in
  --onboarding) onboarding="${2:?--onboarding needs a file}" ;;
  "") ;;
  *) attache_say "usage: install.sh [--onboarding FILE]"; exit 64 ;;
esac
if [ -z "$attache_root" ] && [ "$(id -u)" -ne 0 ]; then attache_say "run as root"; exit 77; fi
attache_stop
mkdir -p "$(dirname "$attache_bin")" "$(dirname "$attache_plist")" "$(dirname "$attache_newsyslog")"
cp "$here/attache-agent" "$attache_bin.new"
chmod 0755 "$attache_bin.new"
mv -f "$attache_bin.new" "$attache_bin"
cp "$here/com.attache.agent.plist" "$attache_plist"
cp "$here/com.attache.agent.newsyslog.conf" "$attache_newsyslog"
chmod 0644 "$attache_plist" "$attache_newsyslog"
attache_make_dirs
attache_enroll "$onboarding"
attache_start
attache_say "installed $("$attache_bin" --version)"
