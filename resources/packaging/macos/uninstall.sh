#!/bin/sh
# Removes Lesmodus from a Mac (a pkg has no uninstaller): run as root, e.g.
# as a Jamf policy script. Stops the agent and trays, removes the launchd
# jobs, the app, the device store and the logs.
set -u
DAEMON=nl.svok.lesmodus.agent
TRAY=nl.svok.lesmodus.tray
launchctl bootout system/$DAEMON 2>/dev/null || true
for uid in $(ps -axo uid= -o comm= | awk '/Lesmodus.app/ { print $1 }' | sort -u); do
  launchctl bootout gui/$uid/$TRAY 2>/dev/null || true
done
rm -f /Library/LaunchDaemons/$DAEMON.plist /Library/LaunchAgents/$TRAY.plist
rm -rf /Applications/Lesmodus.app "/Library/Application Support/Lesmodus" /Library/Logs/Lesmodus
pkgutil --forget nl.svok.lesmodus 2>/dev/null || true
exit 0
