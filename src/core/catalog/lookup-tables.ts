import { LINUX_COMM_LENGTH, commPrefixKey, idKey, unixNameKey, windowsNameKey } from './names.ts';
import type { Catalog, Match, NeverBlockEntry, Service } from './schema.ts';

// The catalog turned into hash maps once, so that classifying a process or a
// host is a handful of Map lookups (the process watcher asks for hundreds of
// processes every 250 ms).

/** What a key leads to: a service to block, or an entry never to block. */
export type Target =
  | { readonly kind: 'service'; readonly service: Service }
  | { readonly kind: 'never-block'; readonly entry: NeverBlockEntry };

/** A key and the catalog spelling it came from (for explanations). */
export interface Found {
  readonly target: Target;
  readonly matched: string;
}

export interface LookupTables {
  readonly win32Names: Map<string, Found>;
  readonly win32Packages: Map<string, Found>;
  readonly darwinBundles: Map<string, Found>;
  readonly darwinExes: Map<string, Found>;
  /** Binaries and scripts by full name. */
  readonly linuxNames: Map<string, Found>;
  /** Binaries and scripts of 15 or more characters by their first 15: what a cut comm can be. */
  readonly linuxCommPrefixes: Map<string, Found[]>;
  readonly linuxScripts: Map<string, Found>;
  readonly linuxFlatpaks: Map<string, Found>;
  readonly linuxSnaps: Map<string, Found>;
  /** Program contents by sha256, every OS (a hash names one file wherever it runs). */
  readonly contents: Map<string, Found>;
  /** The sizes of those contents: a file of another size needs no hash. */
  readonly contentSizes: Set<number>;
  /** Every service listing the domain (several when a CDN is shared). */
  readonly serviceDomains: Map<string, Service[]>;
  readonly neverBlockDomains: Map<string, NeverBlockEntry>;
  readonly servicesById: Map<string, Service>;
  readonly neverBlockById: Map<string, NeverBlockEntry>;
}

export function buildLookupTables(catalog: Catalog): LookupTables {
  const tables: LookupTables = {
    win32Names: new Map(),
    win32Packages: new Map(),
    darwinBundles: new Map(),
    darwinExes: new Map(),
    linuxNames: new Map(),
    linuxCommPrefixes: new Map(),
    linuxScripts: new Map(),
    linuxFlatpaks: new Map(),
    linuxSnaps: new Map(),
    contents: new Map(),
    contentSizes: new Set(),
    serviceDomains: new Map(),
    neverBlockDomains: new Map(),
    servicesById: new Map(),
    neverBlockById: new Map(),
  };
  // Never-block entries go in first: should an unvalidated catalog list a key
  // twice, the first claim stands, and that must be the protective one.
  for (const entry of catalog.neverBlock) {
    if (!tables.neverBlockById.has(entry.id)) tables.neverBlockById.set(entry.id, entry);
    addMatchers(tables, entry.match, { kind: 'never-block', entry });
    for (const domain of entry.domains) {
      if (!tables.neverBlockDomains.has(domain)) tables.neverBlockDomains.set(domain, entry);
    }
  }
  for (const service of catalog.services) {
    if (!tables.servicesById.has(service.id)) tables.servicesById.set(service.id, service);
    addMatchers(tables, service.match, { kind: 'service', service });
    for (const domain of service.domains) {
      const owners = tables.serviceDomains.get(domain);
      if (owners) owners.push(service);
      else tables.serviceDomains.set(domain, [service]);
    }
  }
  return tables;
}

function claim(map: Map<string, Found>, key: string, found: Found): void {
  if (key.length > 0 && !map.has(key)) map.set(key, found);
}

function addMatchers(tables: LookupTables, match: Match, target: Target): void {
  const { win32, darwin, linux } = match;
  for (const name of [...(win32?.exe ?? []), ...(win32?.originalNames ?? [])]) {
    claim(tables.win32Names, windowsNameKey(name), { target, matched: name });
  }
  for (const family of win32?.storePackageFamilies ?? []) claim(tables.win32Packages, idKey(family), { target, matched: family });
  for (const id of darwin?.bundleIds ?? []) claim(tables.darwinBundles, idKey(id), { target, matched: id });
  for (const exe of darwin?.exe ?? []) claim(tables.darwinExes, unixNameKey(exe), { target, matched: exe });
  for (const name of [...(linux?.binaries ?? []), ...(linux?.scripts ?? [])]) {
    const found = { target, matched: name };
    claim(tables.linuxNames, unixNameKey(name), found);
    if (name.length >= LINUX_COMM_LENGTH) {
      const prefix = commPrefixKey(name);
      const list = tables.linuxCommPrefixes.get(prefix);
      if (list) list.push(found);
      else tables.linuxCommPrefixes.set(prefix, [found]);
    }
  }
  for (const script of linux?.scripts ?? []) claim(tables.linuxScripts, unixNameKey(script), { target, matched: script });
  for (const id of linux?.flatpak ?? []) claim(tables.linuxFlatpaks, idKey(id), { target, matched: id });
  for (const snap of linux?.snap ?? []) claim(tables.linuxSnaps, idKey(snap), { target, matched: snap });
  for (const content of [...(win32?.contents ?? []), ...(darwin?.contents ?? []), ...(linux?.contents ?? [])]) {
    claim(tables.contents, content.sha256, { target, matched: `sha256:${content.sha256}` });
    tables.contentSizes.add(content.bytes);
  }
}
