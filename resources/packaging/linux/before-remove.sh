#!/bin/sh
# prerm of the lesmodus package: on removal, stop the agent and any tray while
# their files still exist, and disable the service. An upgrade keeps them
# running (the new postinst restarts the service).
set -u
LESMODUS_UNIT='lesmodus-agent.service'
LESMODUS_DIR='/opt/Lesmodus/'

case "$1" in
  remove|deconfigure) ;;
  *) exit 0 ;;
esac

if command -v systemctl >/dev/null 2>&1; then
  if [ -d /run/systemd/system ]; then
    systemctl stop "$LESMODUS_UNIT" || true
  fi
  systemctl disable "$LESMODUS_UNIT" || true
fi

# Whatever still runs a program of this package (an agent started by hand
# where systemd does not run, the students' trays): matched by the file the
# kernel runs, never by a name a student could also give a program.
lesmodus_pids() {
  for exe in /proc/[0-9]*/exe; do
    target="$(readlink "$exe" 2>/dev/null)" || continue
    case "$target" in
      "$LESMODUS_DIR"*) pid="${exe#/proc/}"; echo "${pid%/exe}" ;;
    esac
  done
}
pids="$(lesmodus_pids)"
if [ -n "$pids" ]; then
  kill -TERM $pids 2>/dev/null || true
  waited=0
  while [ -n "$(lesmodus_pids)" ] && [ "$waited" -lt 100 ]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  pids="$(lesmodus_pids)"
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
fi

# The agent leaves its browser policies in place when it stops (a stopped agent
# must not lift a block), but without the agent they would route the catalog's
# sites to a proxy that is gone, and those sites would not load at all. Its own
# files go; Firefox's policies.json, which an admin may own, only while it is
# still what Lesmodus last wrote (its owner record holds that file's SHA-256).
rm -f /etc/opt/chrome/policies/managed/lesmodus-*.json /etc/chromium/policies/managed/lesmodus-*.json \
      /etc/opt/edge/policies/managed/lesmodus-*.json /etc/brave/policies/managed/lesmodus-*.json
firefox_policies=/etc/firefox/policies/policies.json
firefox_record=/var/lib/lesmodus/browser-policy/firefox-policies.json.owner
if [ -f "$firefox_record" ]; then
  if [ -f "$firefox_policies" ] && grep -q "\"$(sha256sum "$firefox_policies" | cut -d' ' -f1)\"" "$firefox_record"; then
    rm -f "$firefox_policies"
  fi
  rm -f "$firefox_record"
fi
exit 0
