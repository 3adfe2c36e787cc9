import { describe, expect, it } from 'vitest';
import { CatalogSchema } from '../../../src/core/catalog/schema.ts';
import { issuesOf, tinyCatalogJson } from './fixtures.ts';

describe('catalog schema', () => {
  it('accepts a small valid catalog and fills in defaults', () => {
    const catalog = CatalogSchema.parse(tinyCatalogJson((j) => delete j.services[1]!.domains));
    const instagram = catalog.services[0]!;
    expect(instagram.optIn).toBe(false);
    expect(instagram.match).toEqual({});
    expect(catalog.services[1]!.domains).toEqual([]);
    expect(catalog.services[1]!.match.win32).toEqual({ exe: ['obs64.exe'], originalNames: [], storePackageFamilies: [], contents: [] });
    expect(CatalogSchema.parse({ version: '1', services: [] }).neverBlock).toEqual([]);
  });

  describe('rejects a bad file with the path of the value to fix', () => {
    const cases: [string, (j: ReturnType<typeof tinyCatalogJson>) => void, string][] = [
      ['a duplicate service id', (j) => { j.services[1]!.id = 'instagram'; }, 'services.1.id: duplicate id "instagram" (first used by services[0])'],
      ['a duplicate never-block id', (j) => { j.neverBlock[1]!.id = 'teams'; }, 'neverBlock.1.id: duplicate id "teams" (first used by neverBlock[0])'],
      ['a service that is also never-blocked', (j) => { j.neverBlock[1]!.id = 'obs-studio'; }, 'neverBlock.1.id: id "obs-studio" is also a service: a service cannot be never-blocked'],
      ['an id that is not kebab-case', (j) => { j.services[0]!.id = 'Insta_gram'; }, 'services.0.id: an id is kebab-case'],
      ['a domain with a scheme', (j) => { j.services[0]!.domains[0] = 'https://instagram.com'; }, 'services.0.domains.0: "https://instagram.com" has a scheme'],
      ['a domain with a path', (j) => { j.services[0]!.domains[0] = 'instagram.com/explore'; }, 'services.0.domains.0: "instagram.com/explore" is not a bare host name'],
      ['a domain with a port', (j) => { j.services[0]!.domains[0] = 'instagram.com:443'; }, 'services.0.domains.0: "instagram.com:443" is not a bare host name'],
      ['a wildcard domain', (j) => { j.services[0]!.domains[0] = '*.instagram.com'; }, 'services.0.domains.0: "*.instagram.com" has a wildcard'],
      ['an uppercase domain', (j) => { j.services[0]!.domains[0] = 'Instagram.com'; }, 'services.0.domains.0: "Instagram.com" must be lowercase'],
      ['a domain with a trailing dot', (j) => { j.services[0]!.domains[0] = 'instagram.com.'; }, 'services.0.domains.0: "instagram.com." must not end with a dot'],
      ['a single-label domain', (j) => { j.services[0]!.domains[0] = 'com'; }, 'services.0.domains.0: "com" needs at least two labels'],
      ['an IP address', (j) => { j.services[0]!.domains[0] = '157.240.1.174'; }, 'services.0.domains.0: "157.240.1.174" looks like an IP address'],
      ['a label with a bad character', (j) => { j.services[0]!.domains[0] = 'insta_gram.com'; }, 'services.0.domains.0: "insta_gram.com" is not a valid host name'],
      ['a domain listed twice', (j) => { j.services[0]!.domains.push('instagram.com'); }, 'services.0.domains.2: domain "instagram.com" is listed twice'],
      ['a service with no matcher or domain', (j) => { j.services[0]!.domains = []; }, 'services.0.match: a service needs at least one process matcher or domain'],
      ['a never-block entry with nothing to match', (j) => { delete j.neverBlock[1]!.match; }, 'neverBlock.1.match: a never-block entry needs at least one process matcher or domain'],
      ['an unknown category', (j) => { j.services[0]!.category = 'games'; }, 'services.0.category: Invalid option'],
      ['a misspelt field', (j) => { j.services[0]!.domain = ['x.com']; }, 'services.0: Unrecognized key: "domain"'],
      ['a misspelt OS', (j) => { j.services[1]!.match.windows = { exe: ['a.exe'] }; }, 'services.1.match: Unrecognized key: "windows"'],
      ['a Windows exe without .exe', (j) => { j.services[1]!.match.win32.exe = ['obs64']; }, 'services.1.match.win32.exe.0: write the image name with its extension'],
      ['an exe with a folder', (j) => { j.services[1]!.match.win32.exe = ['bin\\obs64.exe']; }, 'services.1.match.win32.exe.0: an exe name is a file name, without folders'],
      ['a malformed package family', (j) => { j.services[1]!.match.win32.storePackageFamilies = ['Microsoft.WindowsCamera']; }, 'services.1.match.win32.storePackageFamilies.0: a Store package family name looks like'],
      ['a malformed bundle id', (j) => { j.services[1]!.match.darwin = { bundleIds: ['OBS'] }; }, 'services.1.match.darwin.bundleIds.0: a bundle id is reverse-DNS'],
      ['a two-part flatpak id', (j) => { j.services[1]!.match.linux.flatpak = ['obsproject.Studio']; }, 'services.1.match.linux.flatpak.0: a flatpak app id has at least three parts'],
      ['an uppercase snap name', (j) => { j.services[1]!.match.linux.snap = ['OBS'];}, 'services.1.match.linux.snap.0: a snap name is lowercase'],
      ['a binary listed twice in another case', (j) => { j.services[1]!.match.linux.binaries = ['obs', 'OBS']; }, 'services.1.match.linux.binaries.1: binary "OBS" is listed twice'],
    ];
    it.each(cases)('%s', (_what, edit, expected) => {
      const issues = issuesOf(tinyCatalogJson(edit));
      expect(issues.some((line) => line.startsWith(expected)), `expected "${expected}" among:\n${issues.join('\n')}`).toBe(true);
    });
  });

  describe('keeps domains from overlapping', () => {
    it('rejects a service domain that a never-block entry lists', () => {
      expect(issuesOf(tinyCatalogJson((j) => j.services[0]!.domains.push('teams.microsoft.com')))).toContain(
        'services.0.domains.2: "teams.microsoft.com" is never blocked (never-block entry "teams" lists "teams.microsoft.com")',
      );
    });

    it('rejects a service domain that is the parent of a never-block domain', () => {
      expect(issuesOf(tinyCatalogJson((j) => j.services[0]!.domains.push('microsoft.com')))).toContain(
        'services.0.domains.2: blocking "microsoft.com" would also block "teams.microsoft.com", which never-block entry "teams" never blocks',
      );
    });

    it('rejects a service domain under a never-block domain (it could never be blocked)', () => {
      expect(issuesOf(tinyCatalogJson((j) => j.services[0]!.domains.push('chat.teams.microsoft.com')))).toContain(
        'services.0.domains.2: "chat.teams.microsoft.com" is never blocked (never-block entry "teams" lists "teams.microsoft.com")',
      );
    });

    it('rejects a domain under another service domain', () => {
      const issues = issuesOf(tinyCatalogJson((j) => j.services.push({ id: 'ig-help', name: 'Help', category: 'social', domains: ['help.instagram.com'] })));
      expect(issues).toContain('services.2.domains.0: "help.instagram.com" lies under "instagram.com" of service "instagram": list it in one service only');
    });

    it('rejects a domain already covered within the same service', () => {
      expect(issuesOf(tinyCatalogJson((j) => j.services[0]!.domains.push('www.instagram.com')))).toContain(
        'services.0.domains.2: "www.instagram.com" is already covered by "instagram.com" in this service',
      );
    });

    it('lets services of one category share a CDN domain, but not across categories', () => {
      const threads = { id: 'threads', name: 'Threads', category: 'social', domains: ['threads.net', 'cdninstagram.com'] };
      expect(issuesOf(tinyCatalogJson((j) => j.services.push(threads)))).toEqual([]);
      const video = { id: 'reels', name: 'Reels', category: 'video', domains: ['cdninstagram.com'] };
      expect(issuesOf(tinyCatalogJson((j) => j.services.push(video)))).toContain(
        'services.2.domains.0: "cdninstagram.com" is also in service "instagram" (category social); a domain can only be shared within one category',
      );
    });
  });

  describe('gives each process matcher to one entry', () => {
    it('rejects a blocked exe that a never-block entry claims', () => {
      expect(issuesOf(tinyCatalogJson((j) => j.services[1]!.match.win32.exe.push('Chrome.exe')))).toContain(
        'services.1.match.win32.exe.1: "Chrome.exe" is a Windows exe or original name already matched by never-block entry "browsers"',
      );
    });

    it('treats an original name as the exe name it spells', () => {
      expect(issuesOf(tinyCatalogJson((j) => { j.services[1]!.match.win32.originalNames = ['ms-teams']; }))).toContain(
        'services.1.match.win32.originalNames.0: "ms-teams" is a Windows exe or original name already matched by never-block entry "teams"',
      );
    });

    it('treats Linux binaries and scripts as one name space', () => {
      const kazam = { id: 'kazam', name: 'Kazam', category: 'screen-recording', match: { linux: { scripts: ['OBS'] } } };
      expect(issuesOf(tinyCatalogJson((j) => j.services.push(kazam)))).toContain(
        'services.2.match.linux.scripts.0: "OBS" is a Linux binary or script already matched by service "obs-studio"',
      );
    });

    it('allows the same name on different operating systems', () => {
      expect(issuesOf(tinyCatalogJson((j) => { j.services[1]!.match.darwin = { exe: ['obs'] }; }))).toEqual([]);
    });
  });
});
