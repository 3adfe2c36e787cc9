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
exit 0
