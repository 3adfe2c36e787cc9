import type { SiProcess } from './si-process.ts';
import { packageFamilyFromPath } from './store-package.win32.ts';

/** What a Windows process entry from systeminformation tells the catalog. */
export interface Win32Facts {
  readonly name: string;
  readonly exePath?: string;
  readonly packageFamily?: string;
  readonly originalName?: string;
}

/**
 * systeminformation on Windows: `name` is Win32_Process.Caption, the image
 * name ("obs64.exe"); `path` is ExecutablePath, empty for processes the
 * agent may not open (other sessions, protected processes); `user` is always
 * empty, so there is no owner to check (the guard runs with ownUid 'any'
 * there; the Windows service would tell sessions apart by SessionId, which
 * Win32_Process has but systeminformation does not pass on). The command
 * line is not passed on: Windows matching does not use it.
 */
export function win32Facts(entry: SiProcess, readOriginalName: (exePath: string) => string | undefined): Win32Facts {
  const exePath = entry.path || undefined;
  if (!exePath) return { name: entry.name };
  const packageFamily = packageFamilyFromPath(exePath);
  const originalName = readOriginalName(exePath);
  return {
    name: entry.name,
    exePath,
    ...(packageFamily === undefined ? {} : { packageFamily }),
    ...(originalName === undefined ? {} : { originalName }),
  };
}
