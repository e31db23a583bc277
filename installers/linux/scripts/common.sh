# Shared by the .deb/.rpm maintainer scripts (concatenated in by scripts/package-linux.ts) and by install.sh /
# uninstall.sh (sourced). POSIX sh. Paths are under $attache_root: empty on a real system; a scratch root when
# dpkg runs with --root and --force-script-chrootless (it sets DPKG_ROOT) or install.sh runs with ATTACHE_ROOT.
# With a root set, systemd is never touched.

attache_root="${DPKG_ROOT:-${ATTACHE_ROOT:-}}"
attache_bin="$attache_root/usr/bin/attache-agent"
attache_lib_dir="$attache_root/usr/lib/attache"
attache_state_dir="$attache_root/var/lib/attache"
attache_config_dir="$attache_root/etc/attache"
attache_log_dir="$attache_root/var/log/attache"
attache_dropin_dir="$attache_root/etc/systemd/system/attache-agent.service.d"
attache_unit=attache-agent.service

attache_say() {
  echo "attache-agent: $*" >&2
}

# True when we may talk to the running systemd: a real root and a booted systemd.
attache_has_systemd() {
  [ -z "$attache_root" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1
}

# State (identity, device key): root only. Config: readable. Logs: root and the adm group's readers.
attache_make_dirs() {
  mkdir -p "$attache_state_dir" "$attache_config_dir" "$attache_log_dir"
  chown root:root "$attache_state_dir" "$attache_config_dir" "$attache_log_dir"
  chmod 0700 "$attache_state_dir"
  chmod 0755 "$attache_config_dir"
  chmod 0750 "$attache_log_dir"
}

# Enrolls from an onboarding package unless the device already has an identity (upgrades keep it). The package is
# $1, else $ATTACHE_ONBOARDING, else /etc/attache/onboarding.json. A failed enrollment never fails the install:
# the service simply does not start until the device is enrolled (ConditionPathExists in the unit).
attache_enroll() {
  pkg="${1:-${ATTACHE_ONBOARDING:-}}"
  default_pkg="$attache_config_dir/onboarding.json"
  [ -n "$pkg" ] || pkg="$default_pkg"
  [ -f "$pkg" ] || return 0
  if [ -f "$attache_state_dir/identity.json" ]; then
    attache_say "already enrolled; onboarding package $pkg not used"
    return 0
  fi
  # Under a scratch root the agent must be told where its files are; on a real system it uses its defaults,
  # exactly as the service will.
  if [ -n "$attache_root" ]; then
    set -- --state-dir "$attache_state_dir" enroll --package "$pkg"
  else
    set -- enroll --package "$pkg"
  fi
  if "$attache_bin" "$@"; then
    # The enrollment token inside is spent; do not leave it lying around in /etc.
    if [ "$pkg" = "$default_pkg" ]; then rm -f "$pkg"; fi
  else
    attache_say "enrollment from $pkg failed; run 'attache-agent enroll --package FILE' then 'systemctl start $attache_unit'"
  fi
}

# Exponential restart back-off needs systemd >= 254 (RestartSteps=); older versions would warn on every load.
attache_install_backoff() {
  attache_has_systemd || return 0
  version=$(systemctl --version 2>/dev/null | sed -n '1s/^systemd \([0-9]*\).*/\1/p')
  if [ -n "$version" ] && [ "$version" -ge 254 ]; then
    mkdir -p "$attache_dropin_dir"
    cp "$attache_lib_dir/restart-backoff.conf" "$attache_dropin_dir/10-restart-backoff.conf"
  fi
}

# After install or upgrade: enable on first install only (an admin's `disable` survives upgrades), then start it,
# or restart it when it was running so the new binary takes over.
attache_service_configured() {
  attache_has_systemd || return 0
  systemctl daemon-reload || true
  if [ "$1" = first ]; then
    systemctl enable "$attache_unit" || true
    systemctl start "$attache_unit" || true
  else
    systemctl try-restart "$attache_unit" || true
  fi
}

attache_service_stop() {
  attache_has_systemd || return 0
  systemctl stop "$attache_unit" || true
  systemctl disable "$attache_unit" || true
}

attache_daemon_reload() {
  attache_has_systemd || return 0
  systemctl daemon-reload || true
}

# Purge: the device identity, key, policies, logs and configuration go; nothing of the agent is left.
attache_purge() {
  rm -rf "$attache_state_dir" "$attache_config_dir" "$attache_log_dir" "$attache_dropin_dir"
}
