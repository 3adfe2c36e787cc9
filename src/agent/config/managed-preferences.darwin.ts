import { statSync } from 'node:fs';
import { join } from 'node:path';
import { MACOS_DOMAIN } from '../../core/config/mdm/names.ts';
import { DARWIN_MANAGED_PREFERENCES_DIR } from '../browser/darwin-policy-plan.ts';
import type { CommandRunner } from './command-runner.ts';
import type { ConfigLayer, ConfigSource } from './config-source.ts';
import type { ExposureCheck } from './file-exposure.ts';

/**
 * macOS: the settings Jamf (or another MDM) installs with the Lesmodus
 * .mobileconfig, as managed preferences of the app's domain in
 * /Library/Managed Preferences/<domain>.plist (a binary plist), turned into
 * JSON by `plutil -convert json`. The file is readable by every user (apps
 * read their managed preferences in the user's session), so an enrollment
 * secret found here is refused; the profile's Payload* keys are not settings.
 */

export const MANAGED_PREFERENCES_PLIST = join(DARWIN_MANAGED_PREFERENCES_DIR, `${MACOS_DOMAIN}.plist`);

/** The settings from `plutil -convert json -o - FILE` output: everything but the profile's own Payload* keys. */
export function managedPreferenceValues(json: string): { values: Record<string, unknown> | null; problems: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    return { values: null, problems: [`plutil gave no JSON (${(error as Error).message}); using none of it this time`] };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { values: null, problems: ['holds no dictionary; using none of it'] };
  const values = Object.fromEntries(Object.entries(parsed).filter(([key]) => !key.startsWith('Payload')));
  return { values, problems: [] };
}

export function managedPreferencesSource(run: CommandRunner, exposure: ExposureCheck, path = MANAGED_PREFERENCES_PLIST): ConfigSource {
  return {
    origin: path,
    watchPaths: [path],
    async read(): Promise<ConfigLayer> {
      const none = (problems: string[] = []): ConfigLayer => ({ origin: path, values: null, readableByOthers: null, problems });
      let stat;
      try {
        stat = statSync(path);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        return code === 'ENOENT' ? none() : none([`cannot be read (${code}); using none of it`]);
      }
      const { readable } = await exposure(path, stat);
      const result = await run('/usr/bin/plutil', ['-convert', 'json', '-o', '-', '--', path]);
      if (result.code !== 0) return none([`plutil could not read it (${result.stderr.trim() || `exit ${result.code}`}); using none of it this time`]);
      const { values, problems } = managedPreferenceValues(result.stdout);
      // Managed preferences are the OS's to protect (only the MDM writes them), so only who can read them matters here.
      return { origin: path, values, readableByOthers: readable, problems };
    },
  };
}
