#!/bin/sh
# Removes the agent from a Mac: sudo ./uninstall.sh [--purge]. Without --purge the identity, state and logs stay
# (a re-install resumes as the same device); --purge deletes them. Works for .pkg and install.sh installs.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
attache_root="${ATTACHE_ROOT:-}"
. "$here/scripts/common.sh"
case "${1:-}" in
  --purge | "") ;;
  *) attache_say "usage: uninstall.sh [--purge]"; exit 64 ;;
esac
if [ -z "$attache_root" ] && [ "$(id -u)" -ne 0 ]; then attache_say "run as root"; exit 77; fi
attache_stop
rm -f "$attache_plist" "$attache_newsyslog" "$attache_bin"
if [ -z "$attache_root" ] && command -v pkgutil >/dev/null 2>&1; then pkgutil --forget "$attache_label" >/dev/null 2>&1 || true; fi
if [ "${1:-}" = --purge ]; then attache_purge; fi
attache_say "removed"
