import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCatalogIndex, type CatalogIndex } from '../../core/catalog/match.ts';
import type { CatalogRef } from '../../core/protocol/index.ts';
import type { Logger } from '../runtime/logger.ts';
import type { DeviceStore } from '../store/index.ts';
import { writeOwnerOnly } from '../sync/credential-file.ts';
import { verifyCatalog } from '../sync/verify-signed.ts';
import { LiveCatalog, type CatalogInUse } from './live-catalog.ts';

/**
 * The school's catalog from its server: fetched when the signed schedule
 * names another one, verified like the schedule, kept in the data folder
 * (owner-only) so a restart offline still has it, and switched to live.
 */

/** The signed catalog as the server sent it (the envelope, so it can be verified again at every start). */
export const SIGNED_CATALOG_FILE = 'catalog.signed.json';
/** Tamper details stay within the event schema's bound. */
const MAX_DETAIL = 240;
/**
 * A catalog signed further ahead of this laptop's trusted time is not taken:
 * it would make every later catalog of a server with a corrected clock look
 * like a rollback (the same rule keeps a server clock set ahead from
 * replacing the cached schedule).
 */
export const CATALOG_CLOCK_TOLERANCE_MS = 60 * 60_000;

/** What the sync client asks about the catalog (see SyncClientDeps.catalog). */
export interface CatalogSync {
  /** True when the schedule names a catalog this laptop should fetch: another than the one in use, and not one it refused. */
  wants(ref: CatalogRef): boolean;
  /** Verifies a fetched signed catalog and uses it; false (and a tamper event) when it is refused. */
  apply(signed: unknown, publicKeyPem: string, wanted: CatalogRef): boolean;
}

const iso = (at: number) => new Date(at).toISOString();
const BUNDLED = (index: CatalogIndex): CatalogInUse => ({ version: index.catalog.version, source: 'bundled', sha256: null, signedAt: 0 });

/**
 * The catalog to start with: the one the school's server signed, saved in
 * `dataDir`, when it still verifies with the pinned key; else the bundled
 * one. `problem` says why a saved catalog was not used (the caller logs it
 * as tamper: only root writes there).
 */
export function startingCatalog(options: { dataDir: string; publicKeyPem: string | null; bundled: CatalogIndex; now: number }): { live: LiveCatalog; problem: string | null } {
  const bundled = () => new LiveCatalog(options.bundled, BUNDLED(options.bundled));
  let text: string;
  try {
    text = readFileSync(join(options.dataDir, SIGNED_CATALOG_FILE), 'utf8');
  } catch {
    return { live: bundled(), problem: null };
  }
  if (options.publicKeyPem === null) return { live: bundled(), problem: null };
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    return { live: bundled(), problem: `the saved school catalog (${SIGNED_CATALOG_FILE}) is not JSON; using the bundled catalog until the server sends it again` };
  }
  const verified = verifyCatalog(input, { publicKeyPem: options.publicKeyPem, now: options.now });
  if (!verified.ok) return { live: bundled(), problem: `the saved school catalog (${SIGNED_CATALOG_FILE}) was refused (${verified.reason}: ${verified.detail}); using the bundled catalog until the server sends it again` };
  const { payload } = verified.signed;
  return { live: new LiveCatalog(createCatalogIndex(payload.catalog), { version: payload.version, source: 'server', sha256: payload.sha256, signedAt: payload.signedAt }), problem: null };
}

export interface CatalogUpdaterDeps {
  readonly live: LiveCatalog;
  readonly dataDir: string;
  readonly store: DeviceStore;
  readonly now: () => number;
  /** The policy in force, for tamper events. */
  readonly policyVersion: string;
  readonly log: Logger;
}

export class CatalogUpdater implements CatalogSync {
  readonly #deps: CatalogUpdaterDeps;
  /** Catalogs refused once (by the sha256 the schedule named): not fetched and logged again at every pull. */
  readonly #refused = new Set<string>();
  /** Catalogs signed ahead of this laptop's time, logged once: fetched again, since a server with its clock put right signs the same content anew. */
  readonly #ahead = new Set<string>();

  constructor(deps: CatalogUpdaterDeps) {
    this.#deps = deps;
  }

  wants(ref: CatalogRef): boolean {
    return ref.sha256 !== this.#deps.live.inUse.sha256 && !this.#refused.has(ref.sha256);
  }

  apply(signed: unknown, publicKeyPem: string, wanted: CatalogRef): boolean {
    const { live, log } = this.#deps;
    const current = live.inUse;
    const verified = verifyCatalog(signed, { publicKeyPem, now: this.#deps.now() });
    if (!verified.ok) {
      this.#refuse(wanted, 'bad-signature', `${verified.reason}: ${verified.detail}`);
      return false;
    }
    const { payload } = verified.signed;
    const now = this.#deps.now();
    if (payload.signedAt > now + CATALOG_CLOCK_TOLERANCE_MS) {
      const detail = `catalog ${payload.version.slice(0, 64)} was signed ${iso(payload.signedAt)}, ahead of this laptop's time ${iso(now)} (the school server's clock is ahead); kept the one in use`;
      log.warn(`catalog: ${detail}`);
      if (!this.#ahead.has(payload.sha256)) this.#deps.store.appendEvent({ type: 'tamper', policyVersion: this.#deps.policyVersion, payload: { kind: 'server-clock', detail: detail.slice(0, MAX_DETAIL) } });
      this.#ahead.add(payload.sha256);
      return false;
    }
    if (payload.signedAt <= current.signedAt) {
      // Replayed or rolled back: an older catalog could lack the entries that block what a student wants to run.
      this.#refuse(wanted, 'catalog-rollback', `the school server sent catalog ${payload.version} signed ${iso(payload.signedAt)}, not after the catalog in use (${current.version}, signed ${iso(current.signedAt)}); kept the one in use`);
      return false;
    }
    try {
      writeOwnerOnly(join(this.#deps.dataDir, SIGNED_CATALOG_FILE), JSON.stringify(signed));
    } catch (error) {
      log.warn(`catalog: could not save the school's catalog (${(error as Error).message}); using it until the agent restarts`);
    }
    live.use(createCatalogIndex(payload.catalog), { version: payload.version, source: 'server', sha256: payload.sha256, signedAt: payload.signedAt });
    // The same version signed by the school carries its own additions: say so, not 'was' the same number.
    const was = current.version === payload.version ? `in place of the ${current.source} one of that version` : `was ${current.version}, ${current.source}`;
    log.info(`catalog: now ${payload.version} from the school server (${was}): ${payload.catalog.services.length} services, ${payload.catalog.neverBlock.length} never-block entries`);
    return true;
  }

  #refuse(wanted: CatalogRef, kind: string, detail: string): void {
    const { store, log, policyVersion } = this.#deps;
    this.#refused.add(wanted.sha256);
    const text = `catalog ${wanted.version.slice(0, 64)}: ${detail}`.replace(/\p{Cc}/gu, ' ').replace(/:\/\//g, ': //').slice(0, MAX_DETAIL);
    log.warn(`tamper: ${text}`);
    store.appendEvent({ type: 'tamper', policyVersion, payload: { kind, detail: text } });
  }
}
