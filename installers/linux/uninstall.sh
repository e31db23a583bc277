#!/bin/sh
# Removes what install.sh installed: sudo ./uninstall.sh [--purge]
# Without --purge the device identity, state, configuration and logs stay (a re-install resumes as the same
# device); with --purge they are deleted too. Also purges what an `rpm -e` left behind.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
purge=no
case "${1:-}" in
  --purge) purge=yes ;;
  "") ;;
  *) attache_say "usage: uninstall.sh [--purge]"; exit 64 ;;
esac
if [ -z "$attache_root" ] && [ "$(id -u)" -ne 0 ]; then attache_say "run as root"; exit 77; fi
attache_service_stop
rm -f "$attache_root/etc/systemd/system/$attache_unit" "$attache_root/usr/local/bin/attache-agent"
rm -rf "$attache_root/usr/local/lib/attache"
[ "$purge" = yes ] && attache_purge
attache_daemon_reload
attache_say "removed$([ "$purge" = yes ] && echo ', with its state' || true)"
