import type { Category, Os } from '../../core/categories.ts';
import type { CatalogIndex, Classification, ProcessFacts } from '../../core/catalog/match.ts';
import type { Catalog, NeverBlockEntry, Service } from '../../core/catalog/schema.ts';

/** Where the catalog in use came from, for the log and `lesmodus agent status`. */
export interface CatalogInUse {
  readonly version: string;
  /** 'bundled': shipped with the agent; 'server': signed by the school's server. */
  readonly source: 'bundled' | 'server';
  /** The SHA-256 the server named it by; null for the bundled one (never fetched, so never compared). */
  readonly sha256: string | null;
  /** When the server signed it; 0 for the bundled one, which any signed catalog of the school replaces. */
  readonly signedAt: number;
}

/**
 * The catalog the agent goes by, swappable while it runs: every enforcer and
 * the decision hold this one object, which hands each question to the
 * catalog in use. A new catalog from the server takes effect at the next
 * question; whoever keeps answers of its own (the process guard's verdicts,
 * the browsers' route) listens with onChange.
 */
export class LiveCatalog implements CatalogIndex {
  #index: CatalogIndex;
  #inUse: CatalogInUse;
  readonly #listeners = new Set<() => void>();

  constructor(index: CatalogIndex, inUse: CatalogInUse) {
    this.#index = index;
    this.#inUse = inUse;
  }

  get inUse(): CatalogInUse {
    return this.#inUse;
  }

  /** Switches to `index`, then tells every listener (a throwing listener does not keep the others from hearing). */
  use(index: CatalogIndex, inUse: CatalogInUse): void {
    this.#index = index;
    this.#inUse = inUse;
    const errors: unknown[] = [];
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'a catalog listener failed');
  }

  /** Called after every switch; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get catalog(): Catalog {
    return this.#index.catalog;
  }

  get neverBlockDomains(): readonly string[] {
    return this.#index.neverBlockDomains;
  }

  get contentSizes(): ReadonlySet<number> {
    return this.#index.contentSizes;
  }

  classifyProcess(os: Os, facts: ProcessFacts): Classification {
    return this.#index.classifyProcess(os, facts);
  }

  classifyDomain(hostOrUrl: string): Classification {
    return this.#index.classifyDomain(hostOrUrl);
  }

  servicesIn(categories: readonly Category[]): readonly Service[] {
    return this.#index.servicesIn(categories);
  }

  domainsOf(serviceIds: readonly string[]): readonly string[] {
    return this.#index.domainsOf(serviceIds);
  }

  service(id: string): Service | undefined {
    return this.#index.service(id);
  }

  neverBlockEntry(id: string): NeverBlockEntry | undefined {
    return this.#index.neverBlockEntry(id);
  }
}
