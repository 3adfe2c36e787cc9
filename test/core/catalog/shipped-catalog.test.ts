import { describe, expect, it } from 'vitest';
import { CATEGORIES, type Os } from '../../../src/core/categories.ts';
import { hostAndParents, isSameOrSubdomain } from '../../../src/core/catalog/hostnames.ts';
import { LINUX_COMM_LENGTH } from '../../../src/core/catalog/names.ts';
import type { Match } from '../../../src/core/catalog/schema.ts';
import type { ProcessFacts } from '../../../src/core/catalog/match.ts';
import { issuesOf, shippedCatalogJson, shippedIndex } from './fixtures.ts';

const index = shippedIndex();
const { catalog } = index;

describe('the shipped catalog', () => {
  it('validates', () => {
    expect(issuesOf(shippedCatalogJson())).toEqual([]);
  });

  it('has every service the SVOK code of conduct names, as social media', () => {
    // The code's examples of social media; YouTube is treated separately below.
    for (const id of ['facebook', 'x-twitter', 'instagram', 'whatsapp', 'linkedin', 'snapchat', 'tiktok']) {
      expect(index.service(id)?.category, id).toBe('social');
    }
  });

  it('has the other social networks students use', () => {
    for (const id of ['discord', 'telegram', 'threads', 'bluesky', 'bereal', 'reddit', 'pinterest', 'twitch']) {
      expect(index.service(id)?.category, id).toBe('social');
    }
  });

  it('has YouTube as opt-in video, the only opt-in service', () => {
    expect(index.service('youtube')).toMatchObject({ category: 'video', optIn: true });
    expect(catalog.services.filter((s) => s.optIn).map((s) => s.id)).toEqual(['youtube']);
    expect(index.servicesIn(['social']).map((s) => s.id)).not.toContain('youtube');
  });

  it('has recording apps for every operating system', () => {
    const byOs = (category: (typeof CATEGORIES)[number], os: Os) => index.servicesIn([category]).filter((s) => s.match[os] !== undefined).map((s) => s.id);
    for (const os of ['win32', 'darwin', 'linux'] as const) {
      expect(byOs('camera', os).length, `camera on ${os}`).toBeGreaterThan(0);
      expect(byOs('audio-recording', os).length, `audio-recording on ${os}`).toBeGreaterThan(0);
    }
    expect(byOs('screen-recording', 'win32')).toEqual(expect.arrayContaining(['obs-studio', 'sharex', 'xbox-game-bar']));
    expect(byOs('screen-recording', 'darwin')).toContain('obs-studio');
    expect(byOs('screen-recording', 'linux')).toEqual(expect.arrayContaining(['obs-studio', 'simplescreenrecorder', 'kazam', 'vokoscreen-ng', 'peek', 'kooha', 'recordmydesktop']));
  });

  it('gives every category at least one service', () => {
    for (const category of CATEGORIES) expect(index.servicesIn([category]).length, category).toBeGreaterThan(0);
  });

  it('never blocks Teams, Office, browsers, school systems, exam and accessibility software', () => {
    const entries = catalog.neverBlock.map((n) => n.id);
    expect(entries).toEqual(expect.arrayContaining([
      'microsoft-teams', 'microsoft-sign-in', 'microsoft-office', 'onedrive', 'web-browsers', 'microsoft-edge-webview2',
      'magister', 'somtoday', 'zermelo', 'webuntis', 'hoy', 'facet', 'safe-exam-browser',
      'nvda', 'jaws', 'zoomtext', 'kurzweil-3000', 'claroread', 'dragon', 'voiceover', 'orca', 'windows-accessibility',
    ]));
    for (const entry of catalog.neverBlock) expect(entry.reason.length, entry.id).toBeGreaterThan(0);
  });

  it('blocks no domain that is, contains or lies under a never-block domain', () => {
    const protectedDomains = catalog.neverBlock.flatMap((n) => n.domains);
    for (const service of catalog.services) {
      for (const domain of service.domains) {
        for (const kept of protectedDomains) {
          expect(isSameOrSubdomain(kept, domain), `${service.id}: ${domain} would block ${kept}`).toBe(false);
          expect(isSameOrSubdomain(domain, kept), `${service.id}: ${domain} lies under never-blocked ${kept}`).toBe(false);
        }
      }
    }
  });

  it('blocks no domain of a large shared platform', () => {
    const platforms = ['google.com', 'googleapis.com', 'gstatic.com', 'ggpht.com', 'microsoft.com', 'live.com', 'apple.com', 'icloud.com', 'amazonaws.com', 'cloudfront.net', 'akamaized.net', 'akamaihd.net', 'fastly.net', 'cloudflare.com', 'azureedge.net'];
    const blocked = catalog.services.flatMap((s) => s.domains);
    for (const domain of blocked) {
      for (const platform of platforms) expect(isSameOrSubdomain(platform, domain) || isSameOrSubdomain(domain, platform), `${domain} vs ${platform}`).toBe(false);
    }
  });

  it('shares CDN domains only within social media', () => {
    const owners = new Map<string, string[]>();
    for (const s of catalog.services) for (const d of s.domains) owners.set(d, [...(owners.get(d) ?? []), s.id]);
    const shared = [...owners].filter(([, ids]) => ids.length > 1);
    expect(Object.fromEntries(shared)).toEqual({
      'fbcdn.net': ['facebook', 'instagram', 'threads'],
      'cdninstagram.com': ['instagram', 'threads'],
    });
    expect(owners.get('googlevideo.com')).toEqual(['youtube']);
  });

  describe('every entry is found by its own matchers', () => {
    const entries = [
      ...catalog.services.map((s) => ({ id: s.id, match: s.match, domains: s.domains, neverBlock: false })),
      ...catalog.neverBlock.map((n) => ({ id: n.id, match: n.match, domains: n.domains, neverBlock: true })),
    ];
    const found = (result: ReturnType<typeof index.classifyProcess>) => (result.neverBlock ? result.neverBlockEntry : result.service);

    it.each(entries)('$id', ({ id, match, domains, neverBlock }) => {
      for (const [os, facts] of factsFor(match)) {
        const result = index.classifyProcess(os, facts);
        expect(found(result), `${os} ${JSON.stringify(facts)}`).toBe(id);
        expect(result.neverBlock).toBe(neverBlock);
      }
      for (const domain of domains) {
        for (const host of [domain, `www.${domain}`, `https://a.b.${domain}/path`]) {
          const result = index.classifyDomain(host);
          expect(result.neverBlock ? result.neverBlockEntry : result.services.includes(id) ? id : result.service, host).toBe(id);
        }
        expect(index.classifyDomain(`not${domain}`).service, `not${domain}`).toBeNull();
        expect(hostAndParents(domain).slice(1).some((p) => index.classifyDomain(p).service !== null), `a parent of ${domain} is blocked`).toBe(false);
      }
    });
  });
});

/** One ProcessFacts per process matcher of an entry (plus the cut comm of long Linux names). */
function factsFor(match: Match): [Os, ProcessFacts][] {
  const out: [Os, ProcessFacts][] = [];
  for (const exe of match.win32?.exe ?? []) out.push(['win32', { name: exe }]);
  for (const original of match.win32?.originalNames ?? []) out.push(['win32', { name: 'renamed.exe', originalName: original }]);
  for (const packageFamily of match.win32?.storePackageFamilies ?? []) out.push(['win32', { name: 'App.exe', packageFamily }]);
  for (const bundleId of match.darwin?.bundleIds ?? []) out.push(['darwin', { name: 'x', bundleId }]);
  for (const exe of match.darwin?.exe ?? []) out.push(['darwin', { name: exe }]);
  for (const binary of [...(match.linux?.binaries ?? []), ...(match.linux?.scripts ?? [])]) {
    out.push(['linux', { name: binary }]);
    if (binary.length > LINUX_COMM_LENGTH) out.push(['linux', { name: binary.slice(0, LINUX_COMM_LENGTH) }]);
  }
  for (const script of match.linux?.scripts ?? []) out.push(['linux', { name: 'python3', cmdline: ['/usr/bin/python3', `/usr/bin/${script}`] }]);
  for (const flatpakAppId of match.linux?.flatpak ?? []) out.push(['linux', { name: 'x', flatpakAppId }]);
  for (const snapName of match.linux?.snap ?? []) out.push(['linux', { name: 'x', snapName }]);
  return out;
}
