import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { catalogSha256 } from '../../adapters/catalog-digest.ts';
import { DEFAULT_CATALOG_PATH, loadCatalog, readJsonFile } from '../../adapters/resources.ts';
import { canonicalJson } from '../../core/grants/canonical-json.ts';
import { createCatalogIndex, type CatalogIndex } from '../../core/catalog/match.ts';
import { CatalogSchema, NeverBlockEntrySchema, ServiceSchema, type Catalog } from '../../core/catalog/schema.ts';
import { compareCatalogVersions } from '../../core/catalog/version.ts';
import { InputError, parseInput } from '../../core/validation.ts';

/**
 * The catalog this server hands its laptops: the one bundled with Lesmodus,
 * or a newer full catalog IT placed in the data folder, plus the school's own
 * additions. Read once at start; a file that is wrong stops the start with an
 * error naming the file and the field (see `lesmodus server catalog check`):
 * starting without it would sign a catalog without the school's entries and
 * send it to every laptop, quietly dropping what IT added.
 */

/** A newer full catalog IT put in the data folder (a Lesmodus catalog update before the next release). */
export const CATALOG_FILE = 'catalog.json';
/** The school's own services and never-block entries, merged into the catalog. */
export const CATALOG_ADDITIONS_FILE = 'catalog-additions.json';

/** The additions file: the catalog's own entry shapes, without a version (it follows the catalog it extends). */
export const CatalogAdditionsSchema = z.strictObject({
  services: z.array(ServiceSchema).default([]),
  neverBlock: z.array(NeverBlockEntrySchema).default([]),
});

export interface EffectiveCatalog {
  /** The merged catalog; its `version` is the effective version. */
  readonly catalog: Catalog;
  readonly index: CatalogIndex;
  /** The base version, with "+school.<hash>" when there are additions. */
  readonly version: string;
  /** What laptops compare (catalogSha256 of `catalog`). */
  readonly sha256: string;
  readonly base: { readonly path: string; readonly version: string; readonly bundled: boolean };
  readonly additions: { readonly path: string; readonly services: number; readonly neverBlock: number } | null;
  /** Said once at start: a data-folder catalog that is not newer than the bundled one is not used. */
  readonly warnings: readonly string[];
}

export interface CatalogSources {
  /** The server's data folder; null: the bundled catalog alone. */
  readonly dataDir: string | null;
  readonly bundledPath?: string;
}

export function loadEffectiveCatalog(sources: CatalogSources): EffectiveCatalog {
  const bundledPath = sources.bundledPath ?? DEFAULT_CATALOG_PATH;
  const bundled = loadCatalog(bundledPath);
  const warnings: string[] = [];
  let base = { catalog: bundled, path: bundledPath, bundled: true };
  const newerPath = sources.dataDir === null ? null : join(sources.dataDir, CATALOG_FILE);
  if (newerPath !== null && existsSync(newerPath)) {
    const placed = loadCatalog(newerPath);
    if (compareCatalogVersions(placed.version, bundled.version) > 0) base = { catalog: placed, path: newerPath, bundled: false };
    else warnings.push(`${newerPath}: its version ${placed.version} is not newer than the bundled catalog's ${bundled.version}, so the bundled catalog is used; remove the file (this Lesmodus already has it) or give it a newer version`);
  }
  const additionsPath = sources.dataDir === null ? null : join(sources.dataDir, CATALOG_ADDITIONS_FILE);
  const additions = additionsPath !== null && existsSync(additionsPath) ? parseInput(CatalogAdditionsSchema, readJsonFile(additionsPath), additionsPath) : null;
  const hasAdditions = additions !== null && additions.services.length + additions.neverBlock.length > 0;
  const version = hasAdditions
    ? `${base.catalog.version}+school.${catalogSha256(JSON.parse(canonicalJson(additions))).slice(0, 8)}`
    : base.catalog.version;
  const merged = {
    version,
    services: [...base.catalog.services, ...(additions?.services ?? [])],
    neverBlock: [...base.catalog.neverBlock, ...(additions?.neverBlock ?? [])],
  };
  const checked = CatalogSchema.safeParse(merged);
  if (!checked.success) throw mergeError(checked.error, base, additionsPath!);
  const catalog = checked.data;
  return {
    catalog,
    index: createCatalogIndex(catalog),
    version,
    sha256: catalogSha256(catalog),
    base: { path: base.path, version: base.catalog.version, bundled: base.bundled },
    additions: hasAdditions ? { path: additionsPath!, services: additions.services.length, neverBlock: additions.neverBlock.length } : null,
    warnings,
  };
}

/**
 * The merged catalog's problems, each at the file and field to fix: an entry
 * of the additions by its place in the additions file, an entry of the base
 * catalog (which an addition clashes with) by its place and id there.
 */
function mergeError(error: z.ZodError, base: { catalog: Catalog; path: string }, additionsPath: string): InputError {
  const issues = error.issues.map((issue) => {
    const [section, index, ...rest] = issue.path;
    const baseCount = section === 'services' ? base.catalog.services.length : section === 'neverBlock' ? base.catalog.neverBlock.length : null;
    const field = rest.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    if (baseCount === null || typeof index !== 'number') return { path: issue.path.join('.'), message: issue.message };
    if (index >= baseCount) return { path: `${String(section)}[${index - baseCount}]${field}`, message: issue.message };
    const id = (section === 'services' ? base.catalog.services[index] : base.catalog.neverBlock[index])?.id;
    return { path: `${base.path} ${String(section)}[${index}] ("${id}")${field}`, message: issue.message };
  });
  return new InputError(`${additionsPath} (merged with the catalog ${base.path})`, issues);
}
