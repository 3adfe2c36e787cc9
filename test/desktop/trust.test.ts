import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOwnPage } from '../../src/desktop/trust.ts';

const DIR = 'file:///opt/Lesmodus/resources/app.asar/src/desktop/pages/';

describe('which URLs are the tray\'s own pages', () => {
  it.each([
    `${DIR}status.html`,
    `${DIR}why.html`,
    `${DIR}unlock.html`,
    `${DIR}notice.html`,
    `${DIR}why.html#III.A.1`,
  ])('trusts %s', (url) => {
    expect(isOwnPage(url, DIR)).toBe(true);
  });

  it.each([
    ['another scheme', 'https://evil.example/status.html'],
    ['a page outside the folder', 'file:///opt/Lesmodus/resources/app.asar/src/desktop/status.html'],
    ['a climb out of the folder', `${DIR}../../../../../../tmp/status.html`],
    ['an encoded climb', `${DIR}%2e%2e/%2e%2e/x/status.html`],
    ['an encoded slash', `${DIR}sub%2Fstatus.html`],
    ['a file next to ours', `${DIR}evil.html`],
    ['a subfolder', `${DIR}x/status.html`],
    ['a remote file host', 'file://attacker/opt/Lesmodus/resources/app.asar/src/desktop/pages/status.html'],
    ['a data URL', 'data:text/html,<script>alert(1)</script>'],
    ['javascript', 'javascript:alert(1)'],
    ['not a URL', 'status.html'],
    ['empty', ''],
    ['a student\'s copy elsewhere', 'file:///home/leerling/pages/status.html'],
  ])('refuses %s', (_name, url) => {
    expect(isOwnPage(url, DIR)).toBe(false);
  });

  it('refuses everything when the folder is given without its closing slash (a prefix would match pages-evil/)', () => {
    expect(isOwnPage(`${DIR}status.html`, DIR.slice(0, -1))).toBe(false);
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('electron', () => {
  it('is imported only by the tray\'s main process and preload', () => {
    const importers = filesUnder('src').filter((f) => f.endsWith('.ts') && /from ['"]electron['"]/.test(readFileSync(f, 'utf8')));
    expect(importers.sort()).toEqual(['src/desktop/main.ts', 'src/desktop/preload.ts']);
  });
});
