import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catalogSha256 } from '../../../src/adapters/catalog-digest.ts';
import { loadCatalog } from '../../../src/adapters/resources.ts';
import { compareCatalogVersions } from '../../../src/core/catalog/version.ts';
import { loadEffectiveCatalog } from '../../../src/server/app/effective-catalog.ts';
import { ADDITIONS, CHIRPR } from './fixtures.ts';

const bundled = loadCatalog();
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lesmodus-catalog-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, value: unknown) => writeFileSync(join(dir, name), typeof value === 'string' ? value : JSON.stringify(value, null, 2));

describe('the effective catalog (bundled or newer, plus the school\'s additions)', () => {
  it('is the bundled catalog when the data folder has none of its own', () => {
    const effective = loadEffectiveCatalog({ dataDir: dir });
    expect(effective).toMatchObject({ version: bundled.version, base: { bundled: true, version: bundled.version }, additions: null, warnings: [] });
    expect(effective.sha256).toBe(catalogSha256(effective.catalog));
    expect(effective.catalog.services).toHaveLength(bundled.services.length);
  });

  it('merges the school\'s additions: their services and never-block entries count, the version names them', () => {
    write('catalog-additions.json', { services: [CHIRPR], neverBlock: [{ id: 'school-wiki', name: 'Schoolwiki', reason: 'De schoolwiki hoort bij de les.', domains: ['wiki.school.example'] }] });
    const effective = loadEffectiveCatalog({ dataDir: dir });
    expect(effective.version).toMatch(new RegExp(`^${bundled.version.replaceAll('.', '\\.')}\\+school\\.[0-9a-f]{8}$`));
    expect(effective.catalog.version).toBe(effective.version);
    expect(effective.additions).toMatchObject({ services: 1, neverBlock: 1 });
    expect(effective.index.classifyProcess('linux', { name: 'chirpr' })).toMatchObject({ service: 'chirpr', category: 'social' });
    expect(effective.index.classifyDomain('www.chirpr.example')).toMatchObject({ service: 'chirpr' });
    expect(effective.index.classifyDomain('wiki.school.example')).toMatchObject({ neverBlock: true });
    // Other additions, another version; the same additions, the same one.
    write('catalog-additions.json', ADDITIONS);
    const other = loadEffectiveCatalog({ dataDir: dir });
    expect(other.version).not.toBe(effective.version);
    expect(other.sha256).not.toBe(effective.sha256);
    expect(loadEffectiveCatalog({ dataDir: dir }).sha256).toBe(other.sha256);
  });

  it('uses a catalog.json in the data folder only when its version sorts after the bundled one, and says so otherwise', () => {
    const newer = `${bundled.version}.1`;
    expect(compareCatalogVersions(newer, bundled.version)).toBeGreaterThan(0);
    write('catalog.json', { ...bundled, version: newer, services: [...bundled.services, CHIRPR] });
    expect(loadEffectiveCatalog({ dataDir: dir })).toMatchObject({ version: newer, base: { bundled: false, path: join(dir, 'catalog.json') }, warnings: [] });

    write('catalog.json', { ...bundled, version: '2020-01-01.1', services: [...bundled.services, CHIRPR] });
    const older = loadEffectiveCatalog({ dataDir: dir });
    expect(older).toMatchObject({ version: bundled.version, base: { bundled: true } });
    expect(older.index.service('chirpr')).toBeUndefined();
    expect(older.warnings).toEqual([expect.stringContaining('its version 2020-01-01.1 is not newer than the bundled catalog\'s')]);
  });

  it('refuses a newer catalog.json that is not valid, naming the file and the field', () => {
    write('catalog.json', { ...bundled, version: `${bundled.version}.1`, services: [...bundled.services, { ...CHIRPR, category: 'chat' }] });
    expect(() => loadEffectiveCatalog({ dataDir: dir })).toThrow(`${join(dir, 'catalog.json')} is not valid`);
    expect(() => loadEffectiveCatalog({ dataDir: dir })).toThrow(`services[${bundled.services.length}].category`);
  });

  it.each([
    ['a field that is wrong in itself', { services: [{ ...CHIRPR, domains: ['https://chirpr.example'] }] }, 'services[0].domains[0]: "https://chirpr.example" has a scheme'],
    ['an id the catalog already has', { services: [{ ...CHIRPR, id: 'instagram' }] }, 'services[0].id: duplicate id "instagram"'],
    ['a domain of another service', { services: [{ ...CHIRPR, domains: ['cdn.instagram.com'] }] }, 'services[0].domains[0]: "cdn.instagram.com" lies under "instagram.com" of service "instagram"'],
    ['a misspelt field', { services: [{ ...CHIRPR, domain: ['chirpr.example'] }] }, 'services[0]: Unrecognized key: "domain"'],
    ['a version (the additions follow the catalog)', { version: '1', services: [CHIRPR] }, '(top level): Unrecognized key: "version"'],
  ])('refuses additions with %s, naming the file and the field', (_what, additions, expected) => {
    write('catalog-additions.json', additions);
    expect(() => loadEffectiveCatalog({ dataDir: dir })).toThrow(join(dir, 'catalog-additions.json'));
    expect(() => loadEffectiveCatalog({ dataDir: dir })).toThrow(expected);
  });

  it('names the bundled entry an addition clashes with, and a file that is not JSON', () => {
    // A school that never blocks its own copy of a blocked site: the clash is reported on the blocked service, with its id.
    write('catalog-additions.json', { neverBlock: [{ id: 'school-insta', name: 'Schoolaccount', reason: 'x'.repeat(5), domains: ['school.instagram.com'] }] });
    expect(() => loadEffectiveCatalog({ dataDir: dir })).toThrow(/services\[\d+\] \("instagram"\)\.domains\[\d+\]: blocking "instagram.com" would also block "school.instagram.com"/);
    write('catalog-additions.json', '{ "services": [ }');
    expect(() => loadEffectiveCatalog({ dataDir: dir })).toThrow(`${join(dir, 'catalog-additions.json')} is not valid JSON`);
  });
});

describe('compareCatalogVersions', () => {
  it.each([
    ['2025-12-14.1', '2025-12-14.2', -1],
    ['2025-12-14.2', '2025-12-14.10', -1],
    ['2025-12-14.10', '2026-01-05.1', -1],
    ['2026-01-05.1', '2026-01-05.1', 0],
    ['2026-01-05.1.1', '2026-01-05.1', 1],
    ['2026-01-05.1+school.abc', '2026-01-05.1', 1],
  ])('%s vs %s: %i', (a, b, expected) => {
    expect(Math.sign(compareCatalogVersions(a, b))).toBe(expected);
    expect(Math.sign(compareCatalogVersions(b, a))).toBe(expected === 0 ? 0 : -expected);
  });
});
