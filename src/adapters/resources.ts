import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CatalogSchema, type Catalog } from '../core/catalog/schema.ts';
import { createCatalogIndex, type CatalogIndex } from '../core/catalog/match.ts';
import { PolicySchema, type Policy } from '../core/policy/schema.ts';
import { parseInput } from '../core/validation.ts';

/** The shipped `resources/` folder (next to `src/` in a checkout, unpacked beside the app when packaged). */
export const RESOURCES_DIR = fileURLToPath(new URL('../../resources/', import.meta.url));

export const DEFAULT_POLICY_PATH = `${RESOURCES_DIR}policy/svok.json`;
export const DEFAULT_CATALOG_PATH = `${RESOURCES_DIR}catalog/catalog.json`;

/** Reads and parses a JSON file, with an error that names the file and what to do. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${path} does not exist` : `cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

export function loadPolicy(path = DEFAULT_POLICY_PATH): Policy {
  return parseInput(PolicySchema, readJsonFile(path), path);
}

export function loadCatalog(path = DEFAULT_CATALOG_PATH): Catalog {
  return parseInput(CatalogSchema, readJsonFile(path), path);
}

export function loadCatalogIndex(path = DEFAULT_CATALOG_PATH): CatalogIndex {
  return createCatalogIndex(loadCatalog(path));
}
