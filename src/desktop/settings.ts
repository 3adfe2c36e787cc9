import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { LocaleSchema } from './bridge.ts';

/**
 * The student's own tray settings (only the language today), in their
 * profile. A damaged or foreign file falls back to the defaults: the tray
 * must start whatever is in it.
 */

const SettingsSchema = z.object({ locale: LocaleSchema });
export type TraySettings = z.infer<typeof SettingsSchema>;

export function readSettings(path: string, fallback: TraySettings): TraySettings {
  try {
    const parsed = SettingsSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : fallback;
  } catch {
    return fallback; // missing or not JSON
  }
}

/** Written whole (temp file + rename): a crash mid-write leaves the old settings. */
export function writeSettings(path: string, settings: TraySettings): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(settings)}\n`);
  renameSync(temp, path);
}
