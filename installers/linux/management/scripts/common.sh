# Shared by the attache-management .deb maintainer scripts; scripts/package-linux.ts concatenates the agent's
# scripts/common.sh (root detection and the systemctl helpers, pointed here at our unit) before it. POSIX sh.
# Paths are under $mgmt_root: empty on a real system, a scratch root when dpkg runs with --root and
# --force-script-chrootless (it sets DPKG_ROOT). With a root set, systemd is never touched.

mgmt_root="$attache_root"
mgmt_user=attache-mgmt
mgmt_data_dir="$mgmt_root/var/lib/attache-management"
mgmt_config_dir="$mgmt_root/etc/attache-management"
mgmt_share_dir="$mgmt_root/usr/share/attache-management"
mgmt_sysusers="$mgmt_root/usr/lib/sysusers.d/attache-management.conf"
attache_unit=attache-management.service

mgmt_say() {
  echo "attache-management: $*" >&2
}

# The system user and group, from the sysusers.d file (systemd-sysusers also writes into a scratch root); adduser
# where systemd-sysusers is missing. Existing users are left as they are.
mgmt_make_user() {
  if command -v systemd-sysusers >/dev/null 2>&1; then
    if [ -n "$mgmt_root" ]; then
      # A scratch root may have no /etc yet: systemd-sysusers locks /etc/passwd there before creating it.
      mkdir -p "$mgmt_root/etc"
      systemd-sysusers --root="$mgmt_root" "$mgmt_sysusers"
    else
      systemd-sysusers "$mgmt_sysusers"
    fi
  elif [ -z "$mgmt_root" ] && ! getent passwd "$mgmt_user" >/dev/null; then
    adduser --system --group --home /var/lib/attache-management --no-create-home --shell /usr/sbin/nologin "$mgmt_user"
  fi
}

# uid:gid of the user as the target root knows it (under a scratch root the host's NSS does not).
mgmt_owner() {
  awk -F: -v u="$mgmt_user" '$1 == u { print $3 ":" $4 }' "$mgmt_root/etc/passwd"
}

# Data dir (CA key, keys, database): the service user only. Config: root only (the env file may hold a password).
mgmt_make_dirs() {
  owner=$(mgmt_owner)
  [ -n "$owner" ] || { mgmt_say "user $mgmt_user not found in $mgmt_root/etc/passwd"; return 1; }
  mkdir -p "$mgmt_data_dir" "$mgmt_config_dir"
  chown "$owner" "$mgmt_data_dir"
  chmod 0700 "$mgmt_data_dir"
  chown root:root "$mgmt_config_dir"
  chmod 0700 "$mgmt_config_dir"
  # The settings file is the admin's: written once, never replaced on upgrade.
  if [ ! -f "$mgmt_config_dir/env" ]; then
    cp "$mgmt_share_dir/env" "$mgmt_config_dir/env"
    chown root:root "$mgmt_config_dir/env"
    chmod 0600 "$mgmt_config_dir/env"
  fi
}

# Purge deletes the settings but never the data dir: it holds the CA key every enrolled device pins, and losing it
# means re-enrolling the fleet. Whoever really wants it gone deletes it by hand (after a backup).
mgmt_purge() {
  rm -rf "$mgmt_config_dir"
  if [ -d "$mgmt_data_dir" ]; then
    mgmt_say "kept $mgmt_data_dir (CA key, keys, database): delete it by hand if this endpoint is gone for good"
  fi
}
