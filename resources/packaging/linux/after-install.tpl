#!/bin/bash
# postinst of the lesmodus package (an electron-builder template: the macros
# in dollar-brace form are filled in at build time, so the additions below use
# plain $name shell variables only).
#
# A custom afterInstall replaces electron-builder's default one, so its steps
# are all here (from app-builder-lib 26 templates/linux/after-install.tpl):
# the /usr/bin link, the chrome-sandbox mode, the MIME and desktop databases
# and the AppArmor profile. Lesmodus adds the agent's service, its folders and
# the user-namespace switch, and decides the sandbox mode as a student would
# meet it.

LESMODUS_UNIT='lesmodus-agent.service'
LESMODUS_SYSCTL='/usr/lib/sysctl.d/60-lesmodus-userns.conf'
LESMODUS_SYSCTL_BEFORE='/var/lib/lesmodus/package/sysctl-before'

# MDM puts the school's config.json here; it holds the enrollment secret, so
# only root may even look inside (a student must not read it).
install -d -m 0700 -o root -g root /etc/lesmodus
chmod 0700 /etc/lesmodus
chown root:root /etc/lesmodus
install -d -m 0700 -o root -g root /var/lib/lesmodus /var/lib/lesmodus/package

# Unprivileged user namespaces off where this kernel has a switch for it (see
# the drop-in for why and which). Each value found before is kept once, so
# that removing the package puts it back.
lesmodus_sysctl_apply() {
  while read -r line; do
    case "$line" in '-'*) line="${line#-}" ;; ''|'#'*) continue ;; esac
    key="$(echo "${line%%=*}" | tr -d ' ')"
    value="$(echo "${line#*=}" | tr -d ' ')"
    path="/proc/sys/$(echo "$key" | tr . /)"
    if [ ! -e "$path" ]; then
      echo "Lesmodus: this kernel has no $key; not set."
      continue
    fi
    if ! grep -q "^$key=" "$LESMODUS_SYSCTL_BEFORE" 2>/dev/null; then
      echo "$key=$(cat "$path")" >> "$LESMODUS_SYSCTL_BEFORE"
    fi
    if echo "$value" > "$path" 2>/dev/null; then
      echo "Lesmodus: $key = $value"
    else
      echo "Lesmodus: could not set $key here (a container?); it applies at the next boot."
    fi
  done < "$LESMODUS_SYSCTL"
}
# LESMODUS_USERNS=keep (in dpkg's environment) leaves the running kernel as it
# is until the next boot: for an image being built, or a CI machine whose other
# jobs need user namespaces now. The drop-in is installed either way.
if [ "$LESMODUS_USERNS" = keep ]; then
  echo "Lesmodus: LESMODUS_USERNS=keep: user namespaces are switched off at the next boot."
else
  lesmodus_sysctl_apply
fi

if type update-alternatives >/dev/null 2>&1; then
    # Remove previous link if it doesn't use update-alternatives
    if [ -L '/usr/bin/${executable}' -a -e '/usr/bin/${executable}' -a "`readlink '/usr/bin/${executable}'`" != '/etc/alternatives/${executable}' ]; then
        rm -f '/usr/bin/${executable}'
    fi
    update-alternatives --install '/usr/bin/${executable}' '${executable}' '/opt/${sanitizedProductName}/${executable}' 100 || ln -sf '/opt/${sanitizedProductName}/${executable}' '/usr/bin/${executable}'
else
    ln -sf '/opt/${sanitizedProductName}/${executable}' '/usr/bin/${executable}'
fi

# The tray runs as the student. electron-builder's template asks whether user
# namespaces work as root, which can still make them after the switch above
# turned them off for everyone else; so ask as an unprivileged user, and give
# the tray the SUID sandbox helper when a student cannot have one.
if [[ -L /proc/self/ns/user ]] && setpriv --reuid=nobody --regid=nogroup --clear-groups unshare --user true 2>/dev/null; then
    chmod 0755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
else
    # Use SUID chrome-sandbox only on systems without user namespaces:
    chmod 4755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
fi

if hash update-mime-database 2>/dev/null; then
    update-mime-database /usr/share/mime || true
fi

if hash update-desktop-database 2>/dev/null; then
    update-desktop-database /usr/share/applications || true
fi

# Install apparmor profile. (Ubuntu 24+)
# First check if the version of AppArmor running on the device supports our profile.
# This is in order to keep backwards compatibility with Ubuntu 22.04 which does not support abi/4.0.
# In that case, we just skip installing the profile since the app runs fine without it on 22.04.
#
# Those apparmor_parser flags are akin to performing a dry run of loading a profile.
# https://wiki.debian.org/AppArmor/HowToUse#Dumping_profiles
#
# Unfortunately, at the moment AppArmor doesn't have a good story for backwards compatibility.
# https://askubuntu.com/questions/1517272/writing-a-backwards-compatible-apparmor-profile
if apparmor_status --enabled > /dev/null 2>&1; then
  APPARMOR_PROFILE_SOURCE='/opt/${sanitizedProductName}/resources/apparmor-profile'
  APPARMOR_PROFILE_TARGET='/etc/apparmor.d/${executable}'
  if apparmor_parser --skip-kernel-load --debug "$APPARMOR_PROFILE_SOURCE" > /dev/null 2>&1; then
    cp -f "$APPARMOR_PROFILE_SOURCE" "$APPARMOR_PROFILE_TARGET"

    # Updating the current AppArmor profile is not possible and probably not meaningful in a chroot'ed environment.
    # Use cases are for example environments where images for clients are maintained.
    # There, AppArmor might correctly be installed, but live updating makes no sense.
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      # Extra flags taken from dh_apparmor:
      # > By using '-W -T' we ensure that any abstraction updates are also pulled in.
      # https://wiki.debian.org/AppArmor/Contribute/FirstTimeProfileImport
      apparmor_parser --replace --write-cache --skip-read-cache "$APPARMOR_PROFILE_TARGET"
    fi
  else
    echo "Skipping the installation of the AppArmor profile as this version of AppArmor does not seem to support the bundled profile"
  fi
fi

# The agent's service: enabled (also where systemd is not running, e.g. when
# an image is built in a chroot: enable only writes links), and started or
# restarted (an upgrade runs the new version) where systemd runs, through
# deb-systemd-invoke where there is one, so /usr/sbin/policy-rc.d can hold the
# start back (image builds, CI) as for any Debian service.
if hash systemctl 2>/dev/null; then
  systemctl enable "$LESMODUS_UNIT" || echo "Lesmodus: could not enable $LESMODUS_UNIT; run: systemctl enable --now $LESMODUS_UNIT"
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload || true
    if hash deb-systemd-invoke 2>/dev/null; then
      deb-systemd-invoke restart "$LESMODUS_UNIT" || echo "Lesmodus: $LESMODUS_UNIT did not start; see: journalctl -u $LESMODUS_UNIT"
    else
      systemctl restart "$LESMODUS_UNIT" || echo "Lesmodus: $LESMODUS_UNIT did not start; see: journalctl -u $LESMODUS_UNIT"
    fi
  fi
else
  echo "Lesmodus: no systemd here; start the agent with: $(sed -n 's/^ExecStart=//p' /usr/lib/systemd/system/$LESMODUS_UNIT)"
fi
