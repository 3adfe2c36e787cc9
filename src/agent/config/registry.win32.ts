import { registryLayout } from '../../core/config/mdm/admx.ts';
import { WINDOWS_POLICY_KEY } from '../../core/config/mdm/names.ts';
import type { CommandRunner } from './command-runner.ts';
import type { ConfigLayer, ConfigSource } from './config-source.ts';

/**
 * Windows: the settings Intune or Group Policy writes through the Lesmodus
 * ADMX, under HKLM\SOFTWARE\Policies\Lesmodus\<Section>, read with `reg query
 * … /s` and laid out by the same registryLayout the templates are made from.
 * Every user can read this key, so an enrollment secret found here is refused.
 */

export const POLICY_KEY = `HKEY_LOCAL_MACHINE\\${WINDOWS_POLICY_KEY}`;

export interface RegistryEntry {
  /** As reg.exe printed it (for messages); the maps are keyed by the lower-cased name. */
  readonly name: string;
  readonly type: string;
  readonly data: string;
}

export interface RegistryKey {
  readonly name: string;
  readonly values: Map<string, RegistryEntry>;
}

/**
 * `reg query KEY /s` output: a line with the key's full name, then one line per
 * value, "    Name    REG_TYPE    data" (REG_MULTI_SZ strings joined by a
 * literal \0), then a blank line. Keys and value names are case-insensitive,
 * so both are looked up lower-cased.
 */
export function parseRegQuery(output: string): Map<string, RegistryKey> {
  const keys = new Map<string, RegistryKey>();
  let current: RegistryKey | undefined;
  for (const line of output.split(/\r?\n/)) {
    if (line.startsWith('HKEY_')) {
      current = { name: line.trim(), values: new Map() };
      keys.set(current.name.toLowerCase(), current);
      continue;
    }
    const value = /^ {4}(.+?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$/.exec(line);
    if (value !== null && current !== undefined) current.values.set(value[1]!.toLowerCase(), { name: value[1]!, type: value[2]!, data: value[3] ?? '' });
  }
  return keys;
}

function valueOf(entry: RegistryEntry, list: boolean): unknown {
  if (entry.type === 'REG_MULTI_SZ') {
    const items = entry.data === '' ? [] : entry.data.split('\\0');
    // A PEM key pasted over several lines of a multi-line box is still one text.
    return list ? items : items.join('\n');
  }
  if (entry.type === 'REG_SZ' || entry.type === 'REG_EXPAND_SZ') return list ? (entry.data === '' ? [] : [entry.data]) : entry.data;
  return entry.data; // a DWORD or binary where text belongs: the config reader names it
}

/** The settings in the config's JSON shape, and what under the key the agent does not know. */
export function registryValues(keys: Map<string, RegistryKey>): { values: Record<string, unknown> | null; problems: string[] } {
  const root = POLICY_KEY.toLowerCase();
  const layout = registryLayout();
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [lower, key] of keys) {
    if (lower === root) {
      for (const entry of key.values.values()) problems.push(`${key.name}\\${entry.name}: unknown value, ignored (settings live in the subkeys ${layout.map((s) => s.subkey).join(', ')})`);
      continue;
    }
    const section = layout.find((s) => `${root}\\${s.subkey.toLowerCase()}` === lower);
    if (section === undefined) {
      problems.push(`${key.name}: unknown key, ignored`);
      continue;
    }
    const settings: Record<string, unknown> = {};
    for (const [name, entry] of key.values) {
      const field = section.fields.find((f) => f.valueName.toLowerCase() === name);
      if (field === undefined) problems.push(`${key.name}\\${entry.name}: unknown value, ignored`);
      else settings[field.key] = valueOf(entry, field.list);
    }
    values[section.section] = settings;
  }
  return { values: keys.size === 0 ? null : values, problems };
}

export function registrySource(run: CommandRunner): ConfigSource {
  return {
    origin: POLICY_KEY,
    watchPaths: [],
    async read(): Promise<ConfigLayer> {
      const result = await run('reg.exe', ['query', POLICY_KEY, '/s']);
      const readableByOthers = 'readable by every user of this laptop (HKLM\\SOFTWARE\\Policies)';
      if (result.code !== 0) {
        // reg.exe answers 1 for a key that is not there (in the OS's language): no policy set, not a fault.
        const problems = result.code === 1 ? [] : [`reg query failed (${result.code}: ${result.stderr.trim()}); using none of it this time`];
        return { origin: POLICY_KEY, values: null, readableByOthers, problems };
      }
      const { values, problems } = registryValues(parseRegQuery(result.stdout));
      return { origin: POLICY_KEY, values, readableByOthers, problems };
    },
  };
}
