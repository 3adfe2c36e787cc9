// Package size: builds the Linux .deb as CI does (scripts/package.ts: the
// staged agent, its Node 24, a stand-in for Electron, dpkg-deb as fpm) and
// prints its size and what takes the room. The baseline, measured in the same
// run, is better-sqlite3 as npm installs it (every platform's prebuild and the
// SQLite sources) against the one prebuild the package keeps.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildPackage, PROJECT_DIR } from '../../scripts/package.ts';
import { fmt } from './measure.ts';

function bytesUnder(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((sum, e) => sum + statSync(join(e.parentPath, e.name)).size, 0);
}

const mib = (bytes: number) => `${fmt(bytes / 1024 / 1024, 1)} MiB`;

export async function benchPackage(): Promise<void> {
  console.log('package: the Linux .deb (xz), as CI builds it');
  if (process.platform !== 'linux' || spawnSync('sh', ['-c', 'command -v dpkg-deb']).status !== 0) {
    console.log('  skipped: needs Linux with dpkg-deb');
    return;
  }
  const out = mkdtempSync(join(tmpdir(), 'lesmodus-bench-package-'));
  try {
    const start = performance.now();
    const [deb] = await buildPackage({ target: { os: 'linux', arch: 'x64' }, outDir: out });
    const seconds = (performance.now() - start) / 1000;
    const resources = join(out, 'linux-unpacked', 'resources');
    const node = bytesUnder(join(resources, 'node'));
    const modules = bytesUnder(join(resources, 'agent', 'node_modules'));
    const agent = bytesUnder(join(resources, 'agent')) - modules;
    const asar = bytesUnder(join(resources, 'app.asar'));
    const installed = bytesUnder(join(out, 'linux-unpacked'));
    const sqliteShipped = bytesUnder(join(resources, 'agent', 'node_modules', 'better-sqlite3'));
    const sqliteInstalled = bytesUnder(join(PROJECT_DIR, 'node_modules', 'better-sqlite3'));
    console.log(`  ${deb!.file.split('/').at(-1)}: ${mib(deb!.bytes)} (${fmt(deb!.bytes)} bytes), ${mib(installed)} installed; built in ${fmt(seconds, 0)} s`);
    console.log(`  installed: Node 24 ${mib(node)}, agent node_modules ${mib(modules)}, agent sources and data ${mib(agent)}, tray app.asar ${mib(asar)}`);
    console.log(`  baseline: better-sqlite3 as npm installs it ${mib(sqliteInstalled)}, as the package ships it ${mib(sqliteShipped)}`);
    console.log('  (a real package adds Electron 45 itself; none can be downloaded here, so the tray binary is a stand-in)');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
