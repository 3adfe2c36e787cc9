import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TRAY_FUSES } from '../../src/desktop/fuses.ts';

/** The `electronFuses:` block of electron-builder.yml as key -> boolean (flat `  key: true|false` lines). */
function builderFuses(): Record<string, boolean> {
  const lines = readFileSync('electron-builder.yml', 'utf8').split('\n');
  const start = lines.findIndex((l) => l === 'electronFuses:');
  expect(start, 'electron-builder.yml has an electronFuses: block').toBeGreaterThanOrEqual(0);
  const fuses: Record<string, boolean> = {};
  for (const line of lines.slice(start + 1)) {
    const match = /^ {2}(\w+): (true|false)\s*$/.exec(line);
    if (match === null) break;
    fuses[match[1]!] = match[2] === 'true';
  }
  return fuses;
}

describe('the tray fuses', () => {
  it('close running the tray as Node, NODE_OPTIONS and the inspector, and load only the integrity-checked asar', () => {
    expect(TRAY_FUSES).toMatchObject({
      runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true, enableEmbeddedAsarIntegrityValidation: true,
    });
  });

  it('are what electron-builder flips when it packages the tray', () => {
    expect(builderFuses()).toEqual(TRAY_FUSES);
  });
});
