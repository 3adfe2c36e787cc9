import { build } from 'rolldown';
import { describe, expect, it } from 'vitest';

/**
 * Electron runs neither file as TypeScript source: a sandboxed preload may
 * require nothing but `electron` (no zod, no relative files), so the
 * packaging step bundles each into one file. This proves both bundle that
 * way. rolldown comes with vitest's vite here; packaging should name it (or
 * its own bundler) as a direct devDependency.
 */
async function bundle(input: string, format: 'cjs' | 'esm'): Promise<{ code: string; imports: string[] }> {
  const out = await build({ input, external: ['electron', /^node:/], platform: 'node', write: false, output: { format } });
  const chunk = out.output[0];
  const code = chunk.type === 'chunk' ? chunk.code : '';
  const imports = [...code.matchAll(/require\(["']([^"']+)["']\)|from ["']([^"']+)["']/g)].map((m) => m[1] ?? m[2] ?? '');
  return { code, imports: [...new Set(imports)].sort() };
}

describe('the tray bundles for Electron', () => {
  it('the preload becomes one CommonJS file that requires only electron, with zod inside', async () => {
    const { code, imports } = await bundle('src/desktop/preload.ts', 'cjs');
    expect(imports).toEqual(['electron']);
    expect(code).toContain('exposeInMainWorld');
    expect(code).toContain('de code is 6 cijfers'); // the bridge's schema came along
  });

  it('main becomes one ES module that imports only electron and Node built-ins', async () => {
    const { imports } = await bundle('src/desktop/main.ts', 'esm');
    expect(imports.filter((i) => i !== 'electron' && !i.startsWith('node:'))).toEqual([]);
    expect(imports).toContain('electron');
  });
});
