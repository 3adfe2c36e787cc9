import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSettings, writeSettings } from '../../src/desktop/settings.ts';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the tray settings', () => {
  it('keep the language a student chose across a restart', () => {
    dir = mkdtempSync(join(tmpdir(), 'lesmodus-settings-'));
    const path = join(dir, 'Lesmodus', 'tray.json');
    writeSettings(path, { locale: 'en' });
    expect(readSettings(path, { locale: 'nl' })).toEqual({ locale: 'en' });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ locale: 'en' });
  });

  it.each([
    ['missing', null],
    ['not JSON', '{"locale":'],
    ['a language the tray does not have', '{"locale":"de"}'],
    ['an array', '[]'],
  ])('fall back to Dutch when the file is %s', (_name, content) => {
    dir = mkdtempSync(join(tmpdir(), 'lesmodus-settings-'));
    const path = join(dir, 'tray.json');
    if (content !== null) writeFileSync(path, content);
    expect(readSettings(path, { locale: 'nl' })).toEqual({ locale: 'nl' });
  });
});
