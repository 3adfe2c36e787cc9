import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { sqlitePrebuildOf, type PackageTarget } from './layout.ts';

/**
 * Stages the agent for one target: what electron-builder.yml copies into the
 * package's resources folder as `agent/` (sources, data, production
 * node_modules) and `node/` (the Node 24 runtime), plus `service/` (WinSW)
 * for Windows. Plain copies: nothing is compiled.
 */

/**
 * Parts of the checkout the agent never loads: the tray (in app.asar) and its
 * pictures, the packaging itself, and the server's deployment files (nginx,
 * systemd units for a school server, not for a laptop).
 */
const NOT_FOR_THE_AGENT = [join('src', 'desktop'), join('resources', 'tray'), join('resources', 'desktop'), join('resources', 'packaging'), join('resources', 'deploy')];

interface PackageJson {
  name?: string;
  version?: string;
  license?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readPackageJson(path: string): PackageJson {
  return JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
}

/**
 * The packages the agent needs at run time: the project's dependencies and
 * theirs, found the way Node finds them (in the package's own node_modules,
 * else hoisted to the top). An optional dependency that was not installed
 * (another platform's) is left out; a missing required one is an error.
 */
export function productionPackages(projectDir: string): string[] {
  const top = join(projectDir, 'node_modules');
  const found = new Map<string, string>(); // package dir -> name
  const visit = (name: string, fromDir: string, optional: boolean): void => {
    const nested = join(fromDir, 'node_modules', name);
    const dir = existsSync(join(nested, 'package.json')) ? nested : join(top, name);
    if (!existsSync(join(dir, 'package.json'))) {
      if (optional) return;
      throw new Error(`${name} is not installed (needed by ${relative(projectDir, fromDir) || 'lesmodus'}); run npm ci first`);
    }
    if (found.has(dir)) return;
    found.set(dir, name);
    const pkg = readPackageJson(join(dir, 'package.json'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, dir, false);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) visit(dep, dir, true);
  };
  const root = readPackageJson(join(projectDir, 'package.json'));
  for (const dep of Object.keys(root.dependencies ?? {})) visit(dep, projectDir, false);
  // Only the hoisted ones are copied one by one; a nested one comes with its parent's folder.
  return [...found].filter(([dir]) => dirname(dir) === top || dirname(dirname(dir)) === top).map(([, name]) => name).sort();
}

/**
 * better-sqlite3 ships every platform's prebuild and its C sources; the agent
 * loads only this target's prebuild (lib/binding.js looks for
 * prebuilds/<platform>-<arch>.node when nothing was compiled).
 */
function keepForSqlite(target: PackageTarget): (source: string, packageDir: string) => boolean {
  const prebuild = `${sqlitePrebuildOf(target)}.node`;
  return (source, packageDir) => {
    const inside = relative(packageDir, source);
    if (inside === '') return true;
    const [first, second] = inside.split(sep);
    if (first === 'lib' || first === 'package.json' || first === 'LICENSE') return true;
    if (first === 'prebuilds') return second === undefined || second === prebuild;
    return false;
  };
}

export function stageAgent(projectDir: string, target: PackageTarget, stageDir: string): void {
  const agentDir = join(stageDir, 'agent');
  rmSync(agentDir, { recursive: true, force: true });
  mkdirSync(agentDir, { recursive: true });
  const excluded = NOT_FOR_THE_AGENT.map((p) => join(projectDir, p));
  for (const part of ['src', 'resources']) {
    cpSync(join(projectDir, part), join(agentDir, part), {
      recursive: true,
      filter: (source) => !excluded.some((e) => source === e || source.startsWith(e + sep)),
    });
  }
  const root = readPackageJson(join(projectDir, 'package.json'));
  // What the sources read: the version (enrollment, /healthz) and "type": "module".
  writeFileSync(join(agentDir, 'package.json'), `${JSON.stringify({
    name: root.name, version: root.version, license: root.license, private: true, type: 'module',
  }, null, 2)}\n`);

  const sqlite = keepForSqlite(target);
  for (const name of productionPackages(projectDir)) {
    const from = join(projectDir, 'node_modules', name);
    cpSync(from, join(agentDir, 'node_modules', name), {
      recursive: true,
      dereference: true,
      filter: (source) => basename(source) !== '.bin' && (name !== 'better-sqlite3' || sqlite(source, from)),
    });
  }
}

/** Node 24 from an unpacked node-<os>-<arch> npm package (bin/node or bin/node.exe, and its LICENSE). */
export function stageNode(nodePackageDir: string, target: PackageTarget, stageDir: string): void {
  const nodeDir = join(stageDir, 'node');
  rmSync(nodeDir, { recursive: true, force: true });
  const binary = target.os === 'win' ? 'node.exe' : 'node';
  const from = join(nodePackageDir, 'bin', binary);
  if (!existsSync(from)) throw new Error(`${nodePackageDir} holds no bin/${binary}: give the unpacked node-${target.os}-${target.arch} npm package (or a Node 24 release folder laid out the same)`);
  mkdirSync(join(nodeDir, 'bin'), { recursive: true });
  cpSync(from, join(nodeDir, 'bin', binary));
  if (existsSync(join(nodePackageDir, 'LICENSE'))) cpSync(join(nodePackageDir, 'LICENSE'), join(nodeDir, 'LICENSE'));
}

/**
 * WinSW, the Windows service wrapper, from the unpacked node-windows npm
 * package (bin/winsw/winsw.exe and its .exe.config for .NET 4), renamed for
 * our service: WinSW reads the XML named like its own executable.
 */
export function stageWinsw(nodeWindowsDir: string, stageDir: string): void {
  const serviceDir = join(stageDir, 'service');
  rmSync(serviceDir, { recursive: true, force: true });
  mkdirSync(serviceDir, { recursive: true });
  for (const [from, to] of [['winsw.exe', 'lesmodus-agent.exe'], ['winsw.exe.config', 'lesmodus-agent.exe.config']] as const) {
    const source = join(nodeWindowsDir, 'bin', 'winsw', from);
    if (!existsSync(source)) throw new Error(`${nodeWindowsDir} holds no bin/winsw/${from}: give the unpacked node-windows npm package`);
    cpSync(source, join(serviceDir, to));
  }
}
