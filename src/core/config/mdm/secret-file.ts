import { ROOT_ONLY_KEYS, type AgentConfig } from '../agent-config.ts';
import { POSIX_CONFIG_PATH } from './names.ts';

/**
 * The enrollment secret goes where only root/SYSTEM can read it (the agent
 * refuses it anywhere else), so on macOS and Windows the MDM profile comes
 * with a small script the MDM runs as root/SYSTEM once (a Jamf policy
 * script, an Intune platform script): it writes the root-only config file
 * holding just the secret. The managed settings come from the profile.
 */

/** The root-only keys of a config and nothing else, as the JSON file holds them. */
export function rootOnlyPart(config: AgentConfig): Record<string, Record<string, unknown>> {
  const part: Record<string, Record<string, unknown>> = {};
  for (const [section, key] of ROOT_ONLY_KEYS) {
    const value = (config[section] as Record<string, unknown> | undefined)?.[key];
    if (value !== undefined) (part[section] ??= {})[key] = value;
  }
  return part;
}

/** A POSIX shell script (Jamf runs policy scripts as root) writing `path` with mode 0600 in a 0700 folder, replaced whole. */
export function posixSecretScript(config: AgentConfig, path = POSIX_CONFIG_PATH): string {
  const json = JSON.stringify(rootOnlyPart(config), null, 2);
  const quoted = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  return [
    '#!/bin/sh',
    '# Lesmodus: the enrollment secret, readable by root only (the agent refuses it anywhere others can read).',
    '# Run once as root, e.g. as a Jamf policy script; the agent reads it within a minute, no restart needed.',
    'set -eu',
    'umask 077',
    `target=${quoted(path)}`,
    'dir=$(dirname "$target")',
    'mkdir -p "$dir"',
    'chmod 700 "$dir"',
    'tmp="$target.new.$$"',
    "cat > \"$tmp\" <<'LESMODUS_SECRET'",
    json,
    'LESMODUS_SECRET',
    'chmod 600 "$tmp"',
    'chown 0 "$tmp"',
    'mv -f "$tmp" "$target"',
    '',
  ].join('\n');
}

/** Well-known SIDs, so the script means the same on a Dutch or an English Windows. */
const SYSTEM_SID = 'S-1-5-18';
const ADMINISTRATORS_SID = 'S-1-5-32-544';

/**
 * A PowerShell script (an Intune platform script runs as SYSTEM) writing
 * %ProgramData%\Lesmodus\config.json with only SYSTEM and Administrators
 * allowed, nothing inherited from ProgramData (where every user may read).
 */
export function windowsSecretScript(config: AgentConfig): string {
  const json = JSON.stringify(rootOnlyPart(config), null, 2);
  return [
    '# Lesmodus: the enrollment secret, readable by SYSTEM and Administrators only',
    '# (the agent refuses it anywhere others can read). Run once as SYSTEM, e.g. as an Intune platform script.',
    "$ErrorActionPreference = 'Stop'",
    "$dir = Join-Path $env:ProgramData 'Lesmodus'",
    'New-Item -ItemType Directory -Force -Path $dir | Out-Null',
    `icacls $dir /inheritance:r /grant:r '*${SYSTEM_SID}:(OI)(CI)F' '*${ADMINISTRATORS_SID}:(OI)(CI)F' | Out-Null`,
    "$file = Join-Path $dir 'config.json'",
    "$tmp = \"$file.new\"",
    "$json = @'",
    json,
    "'@",
    '[System.IO.File]::WriteAllText($tmp, $json, (New-Object System.Text.UTF8Encoding $false))',
    `icacls $tmp /inheritance:r /grant:r '*${SYSTEM_SID}:F' '*${ADMINISTRATORS_SID}:F' | Out-Null`,
    'Move-Item -Force -LiteralPath $tmp -Destination $file',
    '',
  ].join('\r\n');
}
