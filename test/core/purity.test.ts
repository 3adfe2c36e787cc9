import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// src/core is shared by agent, server and desktop: pure TypeScript, no I/O, no
// clock reads (time is a parameter). These checks keep it that way.
const CORE = fileURLToPath(new URL('../../src/core/', import.meta.url));
const ALLOWED_PACKAGES = new Set(['zod', 'windows-iana']);
const FORBIDDEN_CALLS: readonly [RegExp, string][] = [
  [/\bDate\.now\s*\(/, 'reads the clock (Date.now)'],
  [/\bnew Date\s*\(\s*\)/, 'reads the clock (new Date())'],
  [/\bperformance\.now\s*\(/, 'reads the clock (performance.now)'],
  [/\bprocess\./, 'uses process'],
  [/\bfetch\s*\(/, 'does network I/O (fetch)'],
  [/\brequire\s*\(/, 'uses require'],
  [/\bimport\s*\(/, 'imports dynamically'],
  [/\bMath\.random\s*\(/, 'is not deterministic (Math.random)'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []);
}

function importsOf(source: string): string[] {
  return [...source.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm)]
    .map((m) => m[1] ?? m[2]!);
}

function problemsIn(file: string, source: string): string[] {
  const problems: string[] = [];
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  for (const specifier of importsOf(code)) {
    if (specifier.startsWith('.')) {
      const target = resolve(dirname(file), specifier);
      if (relative(CORE, target).startsWith('..')) problems.push(`imports ${specifier}, outside src/core`);
    } else if (!ALLOWED_PACKAGES.has(specifier)) {
      problems.push(`imports ${specifier}`);
    }
  }
  for (const [pattern, what] of FORBIDDEN_CALLS) if (pattern.test(code)) problems.push(what);
  return problems;
}

describe('src/core', () => {
  it('imports nothing from agent, server, desktop or Node, and does no I/O', () => {
    const files = sourceFiles(CORE);
    expect(files.length).toBeGreaterThan(5);
    const report = files.flatMap((file) => problemsIn(file, readFileSync(file, 'utf8')).map((p) => `${relative(CORE, file)}: ${p}`));
    expect(report).toEqual([]);
  });

  it('catches the violations it is meant to catch', () => {
    const file = join(CORE, 'policy', 'example.ts');
    expect(problemsIn(file, `import { x } from '../../agent/store/index.ts';`)).toEqual(['imports ../../agent/store/index.ts, outside src/core']);
    expect(problemsIn(file, `import { readFileSync } from 'node:fs';`)).toEqual(['imports node:fs']);
    expect(problemsIn(file, `import type { App } from 'electron';`)).toEqual(['imports electron']);
    expect(problemsIn(file, `const t = Date.now();`)).toEqual(['reads the clock (Date.now)']);
    expect(problemsIn(file, `import { z } from 'zod';\nimport { a } from '../time/zoned.ts';\n// Date.now() in a comment is fine`)).toEqual([]);
  });
});
