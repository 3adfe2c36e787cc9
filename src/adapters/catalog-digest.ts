import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/grants/canonical-json.ts';

/**
 * The SHA-256 (hex) of a catalog's canonical JSON: how the server names the
 * catalog it hands out, and how a laptop checks it has that one. Over the
 * canonical text, so key order and whitespace never make two of one catalog.
 */
export function catalogSha256(catalog: unknown): string {
  return createHash('sha256').update(canonicalJson(catalog)).digest('hex');
}
