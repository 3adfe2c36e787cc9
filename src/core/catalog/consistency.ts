import type { z } from 'zod';
import type { Category } from '../categories.ts';
import { hostAndParents } from './hostnames.ts';
import { idKey, unixNameKey, windowsNameKey } from './names.ts';
import type { Match } from './schema.ts';

// Rules that span entries. Each problem is reported at the path of the value
// to fix (services[4].domains[1]), naming the entry it clashes with.

interface EntryShape {
  readonly id: string;
  readonly match: Match;
  readonly domains: readonly string[];
}
interface CatalogShape {
  readonly services: readonly (EntryShape & { readonly category: Category })[];
  readonly neverBlock: readonly EntryShape[];
}

type Path = (string | number)[];
type Section = 'services' | 'neverBlock';

interface Owner {
  readonly section: Section;
  readonly index: number;
  readonly id: string;
  readonly category?: Category;
}

const describeOwner = (owner: Owner) => (owner.section === 'services' ? `service "${owner.id}"` : `never-block entry "${owner.id}"`);

export function checkCatalogConsistency(catalog: CatalogShape, ctx: z.RefinementCtx): void {
  const report = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });
  checkIds(catalog, report);
  checkDomains(catalog, report);
  checkMatchers(catalog, report);
}

type Report = (path: Path, message: string) => void;

function* entries(catalog: CatalogShape): Generator<[Owner, EntryShape]> {
  for (const [index, s] of catalog.services.entries()) yield [{ section: 'services', index, id: s.id, category: s.category }, s];
  for (const [index, n] of catalog.neverBlock.entries()) yield [{ section: 'neverBlock', index, id: n.id }, n];
}

function checkIds(catalog: CatalogShape, report: Report): void {
  const seen = new Map<string, Owner>();
  for (const [owner] of entries(catalog)) {
    const first = seen.get(owner.id);
    if (!first) {
      seen.set(owner.id, owner);
      continue;
    }
    const message = first.section === 'services' && owner.section === 'neverBlock'
      ? `id "${owner.id}" is also a service: a service cannot be never-blocked`
      : `duplicate id "${owner.id}" (first used by ${first.section}[${first.index}])`;
    report([owner.section, owner.index, 'id'], message);
  }
}

/**
 * Blocking a domain blocks its subdomains too (browser URL blocklists and DNS
 * filters work that way), so overlaps are checked by label, not by string:
 * - a service domain must not be, contain or lie under a never-block domain;
 * - one domain must not lie under another service domain (which service would
 *   a grant for the inner one unblock?);
 * - a domain shared by several services keeps to one category.
 */
function checkDomains(catalog: CatalogShape, report: Report): void {
  const serviceOwners = new Map<string, Owner[]>();
  catalog.services.forEach((s, index) => {
    for (const domain of s.domains) {
      const owners = serviceOwners.get(domain) ?? [];
      owners.push({ section: 'services', index, id: s.id, category: s.category });
      serviceOwners.set(domain, owners);
    }
  });
  const neverBlockAt = new Map<string, Owner>();
  const underNeverBlock = new Map<string, { domain: string; owner: Owner }>();
  catalog.neverBlock.forEach((n, index) => {
    for (const domain of n.domains) {
      const owner: Owner = { section: 'neverBlock', index, id: n.id };
      neverBlockAt.set(domain, owner);
      for (const parent of hostAndParents(domain)) underNeverBlock.set(parent, { domain, owner });
    }
  });

  catalog.services.forEach((s, index) => {
    s.domains.forEach((domain, domainIndex) => {
      const path: Path = ['services', index, 'domains', domainIndex];
      const [self, ...parents] = hostAndParents(domain);
      for (const candidate of [self ?? domain, ...parents]) {
        const owner = neverBlockAt.get(candidate);
        if (owner) {
          report(path, `"${domain}" is never blocked (${describeOwner(owner)} lists "${candidate}")`);
          return;
        }
      }
      const protectedChild = underNeverBlock.get(domain);
      if (protectedChild) {
        report(path, `blocking "${domain}" would also block "${protectedChild.domain}", which ${describeOwner(protectedChild.owner)} never blocks`);
        return;
      }
      for (const parent of parents) {
        const owner = serviceOwners.get(parent)?.[0];
        if (owner) {
          report(path, owner.id === s.id
            ? `"${domain}" is already covered by "${parent}" in this service`
            : `"${domain}" lies under "${parent}" of ${describeOwner(owner)}: list it in one service only`);
          return;
        }
      }
      const first = serviceOwners.get(domain)?.[0];
      if (first && first.index !== index && first.category !== s.category) {
        report(path, `"${domain}" is also in ${describeOwner(first)} (category ${first.category}); a domain can only be shared within one category`);
      }
    });
  });
}

interface MatcherRef {
  readonly namespace: string;
  readonly key: string;
  readonly value: string;
  readonly path: Path;
}

/**
 * Every process matcher of an entry, keyed the way the index looks it up.
 * Windows exe names and original names share one namespace (the index tries
 * both lists for both facts), as do Linux binaries and scripts.
 */
function matcherRefs(match: Match): MatcherRef[] {
  const refs: MatcherRef[] = [];
  const add = (namespace: string, field: Path, values: readonly string[] | undefined, keyOf: (v: string) => string) =>
    values?.forEach((value, i) => refs.push({ namespace, key: keyOf(value), value, path: ['match', ...field, i] }));
  add('a Windows exe or original name', ['win32', 'exe'], match.win32?.exe, windowsNameKey);
  add('a Windows exe or original name', ['win32', 'originalNames'], match.win32?.originalNames, windowsNameKey);
  add('a Store package family', ['win32', 'storePackageFamilies'], match.win32?.storePackageFamilies, idKey);
  add('a macOS bundle id', ['darwin', 'bundleIds'], match.darwin?.bundleIds, idKey);
  add('a macOS executable', ['darwin', 'exe'], match.darwin?.exe, unixNameKey);
  add('a Linux binary or script', ['linux', 'binaries'], match.linux?.binaries, unixNameKey);
  add('a Linux binary or script', ['linux', 'scripts'], match.linux?.scripts, unixNameKey);
  add('a flatpak id', ['linux', 'flatpak'], match.linux?.flatpak, idKey);
  add('a snap', ['linux', 'snap'], match.linux?.snap, idKey);
  for (const os of ['win32', 'darwin', 'linux'] as const) {
    add('a program content', [os, 'contents'], match[os]?.contents?.map((c) => c.sha256), (sha) => sha);
  }
  return refs;
}

/**
 * One process matcher belongs to one entry: otherwise the verdict would depend
 * on list order. Never-block entries claim first, so a clash is reported on
 * the service, the side that would have stopped something essential.
 */
function checkMatchers(catalog: CatalogShape, report: Report): void {
  const claimed = new Map<string, Owner>();
  const ordered = [...entries(catalog)].sort(([a], [b]) => (a.section === b.section ? 0 : a.section === 'neverBlock' ? -1 : 1));
  for (const [owner, entry] of ordered) {
    for (const ref of matcherRefs(entry.match)) {
      const slot = `${ref.namespace}\0${ref.key}`;
      const first = claimed.get(slot);
      if (!first) {
        claimed.set(slot, owner);
      } else if (first !== owner) {
        report([owner.section, owner.index, ...ref.path], `"${ref.value}" is ${ref.namespace} already matched by ${describeOwner(first)}`);
      }
    }
  }
}
