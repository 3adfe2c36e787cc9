import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Which part of Lesmodus may use which (DESIGN.md): core <- adapters <- agent
 * and server; the Electron tray sees only core and the agent's control
 * contract (never the agent runtime, which would pull better-sqlite3 and
 * systeminformation into Electron); the CLI is the top and nothing imports it
 * or the tray. src/core's own purity has its own test (test/core/purity.test.ts).
 */

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
type Layer = 'core' | 'adapters' | 'agent' | 'server' | 'desktop' | 'cli';

/** Files of another layer a layer may import; `control` is the agent's control contract, the tray's one door. */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  core: ['core'],
  adapters: ['core', 'adapters'],
  agent: ['core', 'adapters', 'agent'],
  server: ['core', 'adapters', 'server'],
  desktop: ['core', 'desktop'],
  cli: ['core', 'adapters', 'agent', 'server', 'cli'],
};
/** What the tray may take from the agent: the contract and the client, which need nothing of the runtime. */
const TRAY_DOOR = new Set(['agent/control/protocol.ts', 'agent/control/client.ts']);
/** Packages that must never be loaded into Electron (native, or the agent's alone). */
const NOT_IN_ELECTRON = ['better-sqlite3', 'systeminformation', 'pg', 'node-cron'];

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : /\.(ts|mjs)$/.test(entry.name) ? [join(dir, entry.name)] : []);
}

function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)]
    .map((m) => m[1] ?? m[2] ?? m[3]!);
}

function layerOf(path: string): Layer | null {
  const first = path.split('/')[0]!;
  return (['core', 'adapters', 'agent', 'server', 'desktop', 'cli'] as const).find((l) => l === first) ?? null;
}

/** Problems of one file (path relative to src/), given its source. */
function problemsIn(path: string, source: string): string[] {
  const from = layerOf(path);
  if (from === null) return [];
  const problems: string[] = [];
  for (const specifier of importsOf(source)) {
    if (!specifier.startsWith('.')) {
      if (from === 'desktop' && NOT_IN_ELECTRON.includes(specifier)) problems.push(`imports ${specifier}, which must not load into Electron`);
      continue;
    }
    const target = relative(SRC, resolve(dirname(join(SRC, path)), specifier)).split('\\').join('/');
    const to = layerOf(target);
    if (to === null || to === from) continue;
    if (from === 'desktop' && TRAY_DOOR.has(target)) continue;
    if (!MAY_IMPORT[from].includes(to)) problems.push(`imports ${target} (${from} may not use ${to})`);
  }
  if (path === 'agent/control/protocol.ts') {
    for (const specifier of importsOf(source)) {
      const inside = specifier.startsWith('.') ? layerOf(relative(SRC, resolve(dirname(join(SRC, path)), specifier))) : null;
      if (specifier !== 'zod' && inside !== 'core') problems.push(`imports ${specifier}: the control contract holds only zod and core, so the tray can load it`);
    }
  }
  return problems;
}

/** Every src/ file the given ones load, following relative imports (what Electron would load with the tray). */
function closure(paths: readonly string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (path: string) => {
    if (files.has(path) || !existsSync(join(SRC, path))) return;
    files.add(path);
    for (const specifier of importsOf(readFileSync(join(SRC, path), 'utf8'))) {
      if (specifier.startsWith('.')) visit(relative(SRC, resolve(dirname(join(SRC, path)), specifier)).split('\\').join('/'));
      else packages.add(specifier);
    }
  };
  paths.forEach(visit);
  return { files, packages };
}

describe('dependency direction', () => {
  it('every module imports only the layers it may', () => {
    const files = sourceFiles(SRC).map((f) => relative(SRC, f).split('\\').join('/'));
    expect(files.length).toBeGreaterThan(100);
    const report = files.flatMap((path) => problemsIn(path, readFileSync(join(SRC, path), 'utf8')).map((p) => `${path}: ${p}`));
    expect(report).toEqual([]);
  });

  it('what the tray loads holds no agent runtime and none of its packages, whatever src/desktop grows into', () => {
    const tray = closure([...sourceFiles(join(SRC, 'desktop')).map((f) => relative(SRC, f)), ...TRAY_DOOR]);
    const runtime = [...tray.files].filter((f) => f.startsWith('agent/') && !TRAY_DOOR.has(f));
    expect(runtime).toEqual([]);
    expect([...tray.packages].filter((p) => NOT_IN_ELECTRON.includes(p))).toEqual([]);
  });

  it('catches the violations it is meant to catch', () => {
    expect(problemsIn('desktop/main.ts', `import { startAgent } from '../agent/main.ts';`)).toEqual(['imports agent/main.ts (desktop may not use agent)']);
    expect(problemsIn('desktop/link.ts', `import Database from 'better-sqlite3';`)).toEqual(['imports better-sqlite3, which must not load into Electron']);
    expect(problemsIn('desktop/link.ts', `import { SubscribeLineSchema } from '../agent/control/protocol.ts';`)).toEqual([]);
    expect(problemsIn('agent/runtime/agent.ts', `import { serve } from '../../server/app/server-app.ts';`)).toEqual(['imports server/app/server-app.ts (agent may not use server)']);
    expect(problemsIn('server/api/x.ts', `import { run } from '../../cli/main.ts';`)).toEqual(['imports cli/main.ts (server may not use cli)']);
    expect(problemsIn('agent/x.ts', `export { tray } from '../desktop/tray-model.ts';`)).toEqual(['imports desktop/tray-model.ts (agent may not use desktop)']);
    expect(problemsIn('agent/control/protocol.ts', `import { readFileSync } from 'node:fs';`)).toEqual(['imports node:fs: the control contract holds only zod and core, so the tray can load it']);
    expect(problemsIn('core/x.ts', `const m = await import('../agent/store/index.ts');`)).toEqual(['imports agent/store/index.ts (core may not use agent)']);
  });
});
