#!/usr/bin/env node
// The `lesmodus` command's launcher. Plain JavaScript on purpose: an older Node
// (which cannot run the TypeScript sources) can still start it and either hand
// over to the Node 24 that `npm install` bootstrapped, or say what to do.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major > 22 || (major === 22 && minor >= 18)) {
  await import('./lesmodus.ts');
} else {
  const home = process.env.LESMODUS_NODE_HOME || join(homedir(), '.cache', 'lesmodus', 'node24');
  const node = join(home, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (!existsSync(node)) {
    console.error(`lesmodus needs Node.js 22.18 or newer (this is ${process.version}). Install Node 24 LTS, or run 'npm install' in the project to fetch it.`);
    process.exit(1);
  }
  const child = spawnSync(node, [new URL('./lesmodus.ts', import.meta.url).pathname, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}
