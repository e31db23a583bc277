# Shared by the pkg scripts (preinstall/postinstall), install.sh and uninstall.sh. POSIX sh. The caller sets
# attache_root first: "" (or "/") on a real Mac; a scratch folder in tests, where launchctl is never called.
attache_root="${attache_root%/}"
attache_label=com.attache.agent
attache_bin="$attache_root/usr/local/bin/attache-agent"
attache_plist="$attache_root/Library/LaunchDaemons/$attache_label.plist"
attache_newsyslog="$attache_root/etc/newsyslog.d/$attache_label.conf"
attache_state_dir="$attache_root/Library/Application Support/Attache"
attache_log_dir="$attache_root/Library/Logs/Attache"

attache_say() {
  echo "attache-agent: $*" >&2
}

attache_has_launchd() {
  [ -z "$attache_root" ] && command -v launchctl >/dev/null 2>&1
}

# Numeric ids: 0 is root/wheel, 80 is macOS's admin group (admins may read logs, not the device key).
attache_make_dirs() {
  mkdir -p "$attache_state_dir" "$attache_log_dir"
  chown 0:0 "$attache_state_dir"
  chmod 0700 "$attache_state_dir"
  chown 0:80 "$attache_log_dir"
  chmod 0750 "$attache_log_dir"
}

# Enrolls from $1 unless the device already has an identity (upgrades keep it). A failure never fails the install.
attache_enroll() {
  pkg="$1"
  [ -f "$pkg" ] || return 0
  if [ -f "$attache_state_dir/identity.json" ]; then
    attache_say "already enrolled; onboarding package $pkg not used"
    return 0
  fi
  if [ -n "$attache_root" ]; then
    set -- --state-dir "$attache_state_dir" enroll --package "$pkg"
  else
    set -- enroll --package "$pkg"
  fi
  if ! "$attache_bin" "$@"; then
    attache_say "enrollment from $pkg failed; run 'sudo attache-agent enroll --package FILE', then 'sudo launchctl kickstart -k system/$attache_label'"
    return 0
  fi
  if [ "$pkg" = "$attache_state_dir/onboarding.json" ]; then rm -f "$pkg"; fi
}

attache_stop() {
  attache_has_launchd || return 0
  launchctl bootout "system/$attache_label" 2>/dev/null || true
}

attache_start() {
  attache_has_launchd || return 0
  launchctl enable "system/$attache_label" || true
  launchctl bootstrap system "$attache_plist" 2>/dev/null || launchctl kickstart -k "system/$attache_label" || true
}

attache_purge() {
  rm -rf "$attache_state_dir" "$attache_log_dir"
}
