import { readFileSync } from 'node:fs';
import { createCatalogIndex, type CatalogIndex } from '../../../src/core/catalog/match.ts';
import { CatalogSchema, type Catalog } from '../../../src/core/catalog/schema.ts';

/** The shipped catalog file, as JSON (unparsed). */
export function shippedCatalogJson(): unknown {
  return JSON.parse(readFileSync(new URL('../../../resources/catalog/catalog.json', import.meta.url), 'utf8'));
}

let shipped: CatalogIndex | undefined;

/** The shipped catalog, validated and indexed (built once per test file). */
export function shippedIndex(): CatalogIndex {
  shipped ??= createCatalogIndex(CatalogSchema.parse(shippedCatalogJson()));
  return shipped;
}

/** A small valid catalog file to break in schema tests; `edit` changes a deep copy. */
export function tinyCatalogJson(edit?: (json: TinyCatalogJson) => void): TinyCatalogJson {
  const json: TinyCatalogJson = {
    version: 'test',
    services: [
      { id: 'instagram', name: 'Instagram', category: 'social', domains: ['instagram.com', 'cdninstagram.com'] },
      { id: 'obs-studio', name: 'OBS Studio', category: 'screen-recording', match: { win32: { exe: ['obs64.exe'] }, linux: { binaries: ['obs'] } } },
    ],
    neverBlock: [
      { id: 'teams', name: 'Teams', reason: 'lessons', match: { win32: { exe: ['ms-teams.exe'] } }, domains: ['teams.microsoft.com'] },
      { id: 'browsers', name: 'Browsers', reason: 'schoolwork', match: { win32: { exe: ['chrome.exe'] } } },
    ],
  };
  edit?.(json);
  return json;
}

// Loose on purpose: schema tests put wrong values in.
export interface TinyCatalogJson {
  version: unknown;
  services: Record<string, any>[];
  neverBlock: Record<string, any>[];
  [key: string]: unknown;
}

/** Index a catalog made in code (no JSON), running it through the schema so defaults apply. */
export function indexOf(json: unknown): CatalogIndex {
  return createCatalogIndex(CatalogSchema.parse(json));
}

/** Index a catalog that skips validation, to probe the matcher's own tie-breaks. */
export function unvalidatedIndex(catalog: Catalog): CatalogIndex {
  return createCatalogIndex(catalog);
}

/** The issues of a failed parse as "path: message" lines, for readable assertions. */
export function issuesOf(json: unknown): string[] {
  const result = CatalogSchema.safeParse(json);
  if (result.success) return [];
  return result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}
