// Builds the Lesmodus package for one OS: stages the agent (sources, data,
// production node_modules with one better-sqlite3 prebuild), its Node 24 and
// (Windows) WinSW into dist/stage/<os>-<arch>/, then runs electron-builder
// with electron-builder.yml.
//
//   node scripts/package.ts                          # this machine's OS and arch
//   node scripts/package.ts --os linux --out /tmp/x  # the .deb into /tmp/x
//   node scripts/package.ts --os mac --node-dir ~/node-v24.x-darwin-arm64
//   node scripts/package.ts --stage-only             # only dist/stage/…
//   node scripts/package.ts --os linux --quick       # xz level 1, not 6: a sixth of the CPU for an
//                                                    # 18 % larger .deb (tests and trial builds)
//
// Linux builds offline: without --electron-dist the tray is a stand-in
// (scripts/packaging/electron-stand-in.ts; no Electron binary can be
// downloaded in CI), and the deb is made by dpkg-deb through an fpm stand-in
// (scripts/packaging/fpm-dpkg.ts) instead of the fpm electron-builder would
// download. Windows and macOS packages are built on their own runners with a
// real Electron (electron-builder fetches it there, or pass --electron-dist).
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeElectronStandIn } from './packaging/electron-stand-in.ts';
import { DEB_XZ_LEVEL_VARIABLE } from './packaging/fpm-dpkg.ts';
import { currentTarget, stageDirOf, type PackageArch, type PackageOs, type PackageTarget } from './packaging/layout.ts';
import { NODE_WINDOWS_SPEC, nodeRuntimeDir, unpackedNpmPackage } from './packaging/runtimes.ts';
import { stageAgent, stageNode, stageWinsw } from './packaging/stage.ts';

export const PROJECT_DIR = resolve(import.meta.dirname, '..');

export interface PackageOptions {
  readonly target: PackageTarget;
  /** Where electron-builder writes the packages (default dist/packages). */
  readonly outDir?: string;
  /** An unpacked Node 24 package or release for the target (default: fetched from npm). */
  readonly nodeDir?: string;
  /** A real unpacked Electron; on Linux without it the tray is a stand-in. */
  readonly electronDist?: string;
  /** electron-builder targets (default: the ones electron-builder.yml names for the OS). */
  readonly targets?: readonly string[];
  /** Compress the .deb lightly (xz -1): its build's biggest cost is xz -6, about a minute of CPU. */
  readonly quick?: boolean;
}

export interface BuiltPackage {
  readonly file: string;
  readonly bytes: number;
}

export function stage(target: PackageTarget, nodeDir?: string): string {
  const stageDir = stageDirOf(PROJECT_DIR, target);
  stageAgent(PROJECT_DIR, target, stageDir);
  stageNode(nodeRuntimeDir(target, nodeDir), target, stageDir);
  if (target.os === 'win') stageWinsw(unpackedNpmPackage(NODE_WINDOWS_SPEC), stageDir);
  return stageDir;
}

/** A shell wrapper electron-builder can exec as fpm (CUSTOM_FPM_PATH must name an executable file). */
function fpmShim(stageDir: string): string {
  const shim = join(stageDir, 'fpm-dpkg.sh');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  writeFileSync(shim, `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(join(import.meta.dirname, 'packaging', 'fpm-dpkg.ts'))} "$@"\n`);
  chmodSync(shim, 0o755);
  return shim;
}

function electronVersion(): string {
  return (JSON.parse(readFileSync(join(PROJECT_DIR, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
}

export async function buildPackage(options: PackageOptions): Promise<BuiltPackage[]> {
  const { target } = options;
  const stageDir = stage(target, options.nodeDir);
  const config: Record<string, unknown> = {};
  if (options.outDir !== undefined) config.directories = { output: resolve(options.outDir) };
  if (options.electronDist !== undefined) {
    config.electronDist = resolve(options.electronDist);
  } else if (target.os === 'linux') {
    const standIn = join(stageDir, 'electron-stand-in');
    writeElectronStandIn(standIn, electronVersion());
    config.electronDist = standIn;
    config.electronVersion = electronVersion();
  }
  if (target.os === 'linux' && process.env.CUSTOM_FPM_PATH === undefined && process.env.USE_SYSTEM_FPM !== 'true') {
    process.env.CUSTOM_FPM_PATH = fpmShim(stageDir);
  }
  if (options.quick) process.env[DEB_XZ_LEVEL_VARIABLE] = '1';
  else delete process.env[DEB_XZ_LEVEL_VARIABLE];
  const { build, Platform, Arch } = await import('electron-builder');
  const platform = { linux: Platform.LINUX, mac: Platform.MAC, win: Platform.WINDOWS }[target.os];
  const arch = { x64: Arch.x64, arm64: Arch.arm64 }[target.arch];
  const files = await build({
    projectDir: PROJECT_DIR,
    targets: platform.createTarget(options.targets ? [...options.targets] : null, arch),
    config,
    publish: 'never',
  });
  return files.filter((f) => !f.endsWith('.blockmap')).map((file) => ({ file, bytes: statSync(file).size }));
}

function parseTarget(os: string | undefined, arch: string | undefined): PackageTarget {
  const here = currentTarget();
  const chosenOs = (os ?? here.os) as PackageOs;
  const chosenArch = (arch ?? here.arch) as PackageArch;
  if (!['linux', 'mac', 'win'].includes(chosenOs)) throw new Error(`--os must be linux, mac or win, not '${os}'`);
  if (!['x64', 'arm64'].includes(chosenArch)) throw new Error(`--arch must be x64 or arm64, not '${arch}'`);
  return { os: chosenOs, arch: chosenArch };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      os: { type: 'string' }, arch: { type: 'string' }, out: { type: 'string' },
      'node-dir': { type: 'string' }, 'electron-dist': { type: 'string' }, 'stage-only': { type: 'boolean' }, quick: { type: 'boolean' },
    },
  });
  try {
    const target = parseTarget(values.os, values.arch);
    if (values['stage-only']) {
      console.log(`staged: ${stage(target, values['node-dir'])}`);
    } else {
      if (values.out !== undefined) mkdirSync(values.out, { recursive: true });
      const built = await buildPackage({
        target,
        ...(values.out !== undefined ? { outDir: values.out } : {}),
        ...(values['node-dir'] !== undefined ? { nodeDir: values['node-dir'] } : {}),
        ...(values['electron-dist'] !== undefined ? { electronDist: values['electron-dist'] } : {}),
        quick: values.quick === true,
      });
      for (const { file, bytes } of built) console.log(`${file}: ${(bytes / 1024 / 1024).toFixed(1)} MiB (${bytes} bytes)`);
    }
  } catch (error) {
    console.error(`package: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
