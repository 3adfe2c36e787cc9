import { bundlePathOf, type BundleIdReader } from './bundle-id.darwin.ts';
import type { SiProcess } from './si-process.ts';

/** What a macOS process entry from systeminformation tells the catalog. */
export interface DarwinFacts {
  readonly name: string;
  readonly uid?: number;
  readonly exePath?: string;
  readonly bundleId?: string;
}

/**
 * systeminformation on macOS runs `ps -axo …,user,command` and splits the
 * command line itself: `path` is the executable's folder, `command` (and
 * `name`) its file name, `params` the arguments. It splits at the first
 * " -" or " /", so an executable path with spaces survives ("Photo
 * Booth.app/Contents/MacOS/Photo Booth") while arguments that start
 * otherwise stay glued to the name; the bundle id does not depend on that.
 */
export function darwinFacts(
  entry: SiProcess,
  bundleIdOfExe: (exePath: string) => string | undefined,
  uidOfUser: (user: string) => number | undefined,
): DarwinFacts {
  const exePath = entry.path ? `${entry.path}/${entry.command}` : undefined;
  const uid = uidOfUser(entry.user);
  const bundleId = exePath === undefined ? undefined : bundleIdOfExe(exePath);
  return {
    name: entry.name,
    ...(uid === undefined ? {} : { uid }),
    ...(exePath === undefined ? {} : { exePath }),
    ...(bundleId === undefined ? {} : { bundleId }),
  };
}

/** The bundle id of the app an executable belongs to; undefined outside an app bundle. */
export function bundleIdOf(exePath: string, readBundleId: BundleIdReader): string | undefined {
  const bundle = bundlePathOf(exePath);
  return bundle === undefined ? undefined : readBundleId(bundle);
}
