#!/bin/bash
# postrm of the lesmodus package (an electron-builder template, see
# after-install.tpl). electron-builder's default steps first (from app-builder-lib
# 26 templates/linux/after-remove.tpl: the /usr/bin link, the AppArmor
# profile), then Lesmodus's: no service left behind (before-remove.sh stopped
# it), the user-namespace switch back as it was, and on purge the config and
# the device store.

# Delete the link to the binary
# update-alternatives --remove <name> <path>: 'path' must be the registered alternative binary,
# not the generic symlink — see https://man7.org/linux/man-pages/man1/update-alternatives.1.html
if type update-alternatives >/dev/null 2>&1; then
    update-alternatives --remove '${executable}' '/opt/${sanitizedProductName}/${executable}'
else
    rm -f '/usr/bin/${executable}'
fi

APPARMOR_PROFILE_DEST='/etc/apparmor.d/${executable}'

# Remove and unload apparmor profile.
if [ -f "$APPARMOR_PROFILE_DEST" ]; then
  # Unload the profile from the running kernel before deleting the file so the
  # policy is not left enforced until the next reboot.  Mirror the chroot guard
  # used in the after-install script — live AppArmor operations are not
  # meaningful inside a chroot.
  # https://wiki.debian.org/AppArmor/HowToUse
  if apparmor_status --enabled > /dev/null 2>&1; then
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      apparmor_parser --remove "$APPARMOR_PROFILE_DEST" || true
    fi
  fi
  rm -f "$APPARMOR_PROFILE_DEST"
fi

LESMODUS_UNIT='lesmodus-agent.service'
LESMODUS_SYSCTL_BEFORE='/var/lib/lesmodus/package/sysctl-before'

case "$1" in
  remove|purge)
    # The unit file is gone; a link that enabled it must not stay behind.
    rm -f "/etc/systemd/system/multi-user.target.wants/$LESMODUS_UNIT"
    if [ -d /run/systemd/system ]; then
      systemctl daemon-reload || true
      systemctl reset-failed "$LESMODUS_UNIT" 2>/dev/null || true
    fi
    rm -rf /run/lesmodus
    # Each kernel switch back to the value it had before the package set it.
    if [ -f "$LESMODUS_SYSCTL_BEFORE" ]; then
      while IFS='=' read -r key value; do
        path="/proc/sys/$(echo "$key" | tr . /)"
        [ -e "$path" ] && echo "$value" > "$path" 2>/dev/null && echo "Lesmodus: $key back to $value"
      done < "$LESMODUS_SYSCTL_BEFORE"
      rm -f "$LESMODUS_SYSCTL_BEFORE"
      rmdir /var/lib/lesmodus/package 2>/dev/null || true
    fi
    ;;
esac

if [ "$1" = purge ]; then
  # The school's config (with its enrollment secret) and the device store
  # (credential, event log): a purged laptop keeps neither.
  rm -rf /etc/lesmodus /var/lib/lesmodus
fi
exit 0
