import type { Category, Os } from '../categories.ts';
import { hostAndParents, normalizeHost } from './hostnames.ts';
import { buildLookupTables, type Target } from './lookup-tables.ts';
import { translateProxiedHost } from './translate-proxy.ts';
import { IDENTITY_EVIDENCE, processHits, type Evidence, type Hit, type ProcessFacts } from './process-evidence.ts';
import type { Catalog, NeverBlockEntry, Service } from './schema.ts';

export type { Evidence, ProcessFacts } from './process-evidence.ts';

/** The verdict on one process or host. */
export interface Classification {
  /** What decided: a process name, a bundle id, a package (Store, flatpak, snap) or a domain. */
  readonly kind: 'process' | 'bundle-id' | 'domain' | 'package';
  /** What was looked up, as given: the host or URL; for processes the fact that decided, or the name when nothing matched. */
  readonly input: string;
  /** Domains: the normalised host that was matched ("www.instagram.com"); null for processes and unusable input. */
  readonly host: string | null;
  /** The blocked service's category; null when never-blocked or unknown. */
  readonly category: Category | null;
  /** The blocked service's id; null when never-blocked or unknown. */
  readonly service: string | null;
  /** Every service the match stands for: more than one for a shared domain (fbcdn.net). */
  readonly services: readonly string[];
  /** True when a never-block entry matched: leave it alone, whatever else matched. */
  readonly neverBlock: boolean;
  /** The never-block entry's id, when `neverBlock`. */
  readonly neverBlockEntry: string | null;
  /** Which fact the verdict rests on; null when nothing matched. */
  readonly evidence: Evidence | null;
  /** The catalog spelling that matched ("instagram.com", "obs64.exe"); null when nothing matched. */
  readonly matched: string | null;
}

export interface CatalogIndex {
  readonly catalog: Catalog;
  /**
   * Which service a process belongs to. Rules, in order:
   * 1. Identity that survives renaming (win32 PE original name, darwin bundle
   *    id, linux flatpak/snap, the file's content) decides when it matches anything.
   * 2. Otherwise a never-block match on any fact wins (a browser hosting a
   *    Store web app still carries the app's package family: leave it be).
   * 3. Otherwise the strongest blocked match: package family, exe path,
   *    interpreter script, process name, 15-character cut name.
   * A Linux comm cut to 15 characters only counts when no other fact names
   * the binary; then every catalog name it may be short for is a candidate.
   */
  classifyProcess(os: Os, facts: ProcessFacts): Classification;
  /**
   * Which service a host or URL belongs to, by label: never-block wins, then
   * the most specific domain. A Google Translate proxy host
   * (www-instagram-com.translate.goog) is judged as the host it proxies.
   */
  classifyDomain(hostOrUrl: string): Classification;
  /** Services in any of `categories`, in catalog order (memoised). */
  servicesIn(categories: readonly Category[]): readonly Service[];
  /**
   * The domains to block when exactly `serviceIds` are blocked: sorted,
   * unique. A domain that several services need (fbcdn.net for Facebook,
   * Instagram and Threads) is included only when all of them are in
   * `serviceIds`, so allowing one of them does not leave it broken behind a
   * CDN blocked on another's behalf. Unknown ids are ignored. Memoised.
   */
  domainsOf(serviceIds: readonly string[]): readonly string[];
  service(id: string): Service | undefined;
  neverBlockEntry(id: string): NeverBlockEntry | undefined;
  /** All never-block domains, sorted: for allow lists that must beat any block list. */
  readonly neverBlockDomains: readonly string[];
  /** The sizes of the catalog's known program contents: a file of any other size needs no hash. */
  readonly contentSizes: ReadonlySet<number>;
}

const MEMO_LIMIT = 256;

export function createCatalogIndex(catalog: Catalog): CatalogIndex {
  const tables = buildLookupTables(catalog);
  const servicesMemo = new Map<string, readonly Service[]>();
  const domainsMemo = new Map<string, readonly string[]>();
  const neverBlockDomains = Object.freeze([...tables.neverBlockDomains.keys()].sort());

  function servicesIn(categories: readonly Category[]): readonly Service[] {
    const key = [...new Set(categories)].sort().join(',');
    let result = servicesMemo.get(key);
    if (!result) {
      const wanted = new Set(categories);
      result = Object.freeze(catalog.services.filter((s) => wanted.has(s.category)));
      servicesMemo.set(key, result);
    }
    return result;
  }

  function domainsOf(serviceIds: readonly string[]): readonly string[] {
    const ids = [...new Set(serviceIds)].sort();
    const key = ids.join(',');
    let result = domainsMemo.get(key);
    if (!result) {
      const blocked = new Set(ids);
      const domains = new Set<string>();
      for (const id of ids) {
        for (const domain of tables.servicesById.get(id)?.domains ?? []) {
          const owners = tables.serviceDomains.get(domain) ?? [];
          if (owners.every((owner) => blocked.has(owner.id))) domains.add(domain);
        }
      }
      result = Object.freeze([...domains].sort());
      // The engine asks for few distinct sets (per policy state); a bound keeps
      // a long-running agent from growing this without limit all the same.
      if (domainsMemo.size >= MEMO_LIMIT) domainsMemo.clear();
      domainsMemo.set(key, result);
    }
    return result;
  }

  function classifyDomain(hostOrUrl: string): Classification {
    const host = normalizeHost(hostOrUrl);
    if (host === null) return unknown('domain', hostOrUrl, null);
    // A translate.goog proxy host is the site it proxies: www-instagram-com.translate.goog is Instagram.
    const proxied = translateProxiedHost(host);
    if (proxied !== null) return { ...classifyDomain(proxied), input: hostOrUrl, host };
    let mostSpecific: { domain: string; owners: Service[] } | undefined;
    for (const candidate of hostAndParents(host)) {
      const entry = tables.neverBlockDomains.get(candidate);
      if (entry) return verdict('domain', hostOrUrl, host, { kind: 'never-block', entry }, 'domain', candidate);
      const owners = tables.serviceDomains.get(candidate);
      if (owners && !mostSpecific) mostSpecific = { domain: candidate, owners };
    }
    const [first] = mostSpecific?.owners ?? [];
    if (!mostSpecific || !first) return unknown('domain', hostOrUrl, host);
    return verdict('domain', hostOrUrl, host, { kind: 'service', service: first }, 'domain', mostSpecific.domain, mostSpecific.owners.map((s) => s.id));
  }

  function classifyProcess(os: Os, facts: ProcessFacts): Classification {
    const hits = processHits(tables, os, facts);
    const decisive = decide(hits);
    if (!decisive) return unknown('process', facts.name || facts.bundleId || facts.packageFamily || facts.flatpakAppId || '', null);
    return verdict(kindOf(decisive.evidence), decisive.input, null, decisive.found.target, decisive.evidence, decisive.found.matched);
  }

  return {
    catalog,
    classifyProcess,
    classifyDomain,
    servicesIn,
    domainsOf,
    service: (id) => tables.servicesById.get(id),
    neverBlockEntry: (id) => tables.neverBlockById.get(id),
    neverBlockDomains,
    contentSizes: tables.contentSizes,
  };
}

/** The hit a process verdict rests on (rules in CatalogIndex.classifyProcess); hits come strongest first. */
function decide(hits: readonly Hit[]): Hit | undefined {
  const identity = hits.filter((h) => IDENTITY_EVIDENCE.has(h.evidence));
  let pool = identity.length > 0 ? identity : hits;
  // Next, the file the OS actually runs (and a script it interprets) outranks what the
  // process is called: a link or argv[0] named "firefox" on a copy of Discord is only a name.
  if (identity.length === 0 && pool.some((h) => h.evidence === 'exe-path')) pool = pool.filter((h) => h.evidence === 'exe-path' || h.evidence === 'script');
  // A comm cut to 15 characters is a guess among every name it could be the
  // start of; once a fact names the binary in full, the guess is dropped.
  if (pool.some((h) => h.evidence !== 'truncated-name')) pool = pool.filter((h) => h.evidence !== 'truncated-name');
  return pool.find((h) => h.found.target.kind === 'never-block') ?? pool[0];
}

function kindOf(evidence: Evidence): Classification['kind'] {
  switch (evidence) {
    case 'store-package':
    case 'flatpak':
    case 'snap':
      return 'package';
    case 'bundle-id':
      return 'bundle-id';
    case 'domain':
      return 'domain';
    default:
      return 'process';
  }
}

function verdict(
  kind: Classification['kind'],
  input: string,
  host: string | null,
  target: Target,
  evidence: Evidence,
  matched: string,
  services?: readonly string[],
): Classification {
  if (target.kind === 'never-block') {
    return { kind, input, host, category: null, service: null, services: [], neverBlock: true, neverBlockEntry: target.entry.id, evidence, matched };
  }
  const { service } = target;
  return {
    kind,
    input,
    host,
    category: service.category,
    service: service.id,
    services: services ?? [service.id],
    neverBlock: false,
    neverBlockEntry: null,
    evidence,
    matched,
  };
}

function unknown(kind: Classification['kind'], input: string, host: string | null): Classification {
  return { kind, input, host, category: null, service: null, services: [], neverBlock: false, neverBlockEntry: null, evidence: null, matched: null };
}
