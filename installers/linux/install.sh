#!/bin/sh
# Installs the agent from this folder (the linux tarball) on a systemd host without dpkg/rpm:
#   sudo ./install.sh [--onboarding FILE] [--no-start]
# The onboarding package defaults to onboarding.json next to this script. Re-running it upgrades in place and
# keeps the device identity. ATTACHE_ROOT=/scratch installs into a scratch root and never touches systemd (tests).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
attache_bin="$attache_root/usr/local/bin/attache-agent"
attache_lib_dir="$attache_root/usr/local/lib/attache"
unit_file="$attache_root/etc/systemd/system/$attache_unit"

onboarding="$here/onboarding.json"
start=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --onboarding)
      [ $# -ge 2 ] || { attache_say "--onboarding needs a file"; exit 64; }
      onboarding="$2"
      shift 2
      ;;
    --no-start) start=no; shift ;;
    -h | --help)
      sed -n '2,6p' "$0"
      exit 0
      ;;
    *) attache_say "unknown option $1"; exit 64 ;;
  esac
done
if [ -z "$attache_root" ] && [ "$(id -u)" -ne 0 ]; then attache_say "run as root"; exit 77; fi

first=first
[ -f "$unit_file" ] && first=upgrade
mkdir -p "$(dirname "$attache_bin")" "$attache_lib_dir" "$(dirname "$unit_file")"
# Replace the binary by rename so a running agent keeps its old file until it restarts.
cp "$here/attache-agent" "$attache_bin.new"
chmod 0755 "$attache_bin.new"
mv -f "$attache_bin.new" "$attache_bin"
cp "$here/restart-backoff.conf" "$attache_lib_dir/restart-backoff.conf"
sed "s#^ExecStart=/usr/bin/attache-agent #ExecStart=/usr/local/bin/attache-agent #" "$here/attache-agent.service" > "$unit_file"
chmod 0644 "$unit_file" "$attache_lib_dir/restart-backoff.conf"
attache_make_dirs
if [ -f "$onboarding" ]; then attache_enroll "$onboarding"; fi
attache_install_backoff
if [ "$start" = yes ]; then attache_service_configured "$first"; else attache_daemon_reload; fi
attache_say "installed $("$attache_bin" --version)"
