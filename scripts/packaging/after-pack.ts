import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_ENTRY, nodeBinaryOf, sqlitePrebuildOf, WINDOWS_SERVICE_EXE, WINDOWS_SERVICE_XML, type PackageOs, type PackageTarget } from './layout.ts';

/**
 * electron-builder's afterPack hook (electron-builder.yml): the app folder is
 * laid out, nothing is packaged yet. electron-builder only warns when an
 * extraResources folder is missing, which would ship a tray without its agent;
 * this fails the build instead, naming what is missing and how to stage it.
 */

interface PackContext {
  readonly appOutDir: string;
  readonly arch: number;
  readonly electronPlatformName: string;
}

/** electron-builder's Arch enum: 1 is x64, 3 is arm64. */
const ARCHES: Readonly<Record<number, PackageTarget['arch']>> = { 1: 'x64', 3: 'arm64' };
const OSES: Readonly<Record<string, PackageOs>> = { linux: 'linux', darwin: 'mac', mas: 'mac', win32: 'win' };

export function resourcesDirOf(appOutDir: string, os: PackageOs): string {
  if (os !== 'mac') return join(appOutDir, 'resources');
  const app = readdirSync(appOutDir).find((f) => f.endsWith('.app'));
  return join(appOutDir, app ?? 'Lesmodus.app', 'Contents', 'Resources');
}

/** What a packaged app folder lacks of the agent (empty when complete). */
export function missingAgentParts(resources: string, target: PackageTarget): string[] {
  const needed = [
    join(...AGENT_ENTRY),
    join('agent', 'package.json'),
    join('agent', 'node_modules', 'better-sqlite3', 'prebuilds', `${sqlitePrebuildOf(target)}.node`),
    join(...nodeBinaryOf(target.os)),
    ...(target.os === 'win' ? [join(...WINDOWS_SERVICE_EXE), join(...WINDOWS_SERVICE_XML)] : []),
  ];
  return needed.filter((part) => !existsSync(join(resources, part)));
}

export async function afterPack(context: PackContext): Promise<void> {
  const os = OSES[context.electronPlatformName];
  const arch = ARCHES[context.arch];
  if (os === undefined || arch === undefined) throw new Error(`Lesmodus is not packaged for ${context.electronPlatformName} arch ${context.arch}`);
  const missing = missingAgentParts(resourcesDirOf(context.appOutDir, os), { os, arch });
  if (missing.length > 0) {
    throw new Error(`the package would ship without its agent: ${missing.join(', ')} missing in ${context.appOutDir}. Build with: node scripts/package.ts --os ${os} --arch ${arch}`);
  }
}
