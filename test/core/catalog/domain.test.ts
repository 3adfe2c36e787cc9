import { describe, expect, it } from 'vitest';
import { catalogDomainProblem, hostAndParents, normalizeHost } from '../../../src/core/catalog/hostnames.ts';
import type { Catalog } from '../../../src/core/catalog/schema.ts';
import { shippedIndex, unvalidatedIndex } from './fixtures.ts';

const index = shippedIndex();
const serviceOf = (input: string) => index.classifyDomain(input).service;

describe('classifyDomain', () => {
  it.each([
    ['instagram.com', 'instagram.com'],
    ['www.instagram.com', 'www.instagram.com'],
    ['INSTAGRAM.COM.', 'instagram.com'],
    ['  www.Instagram.com  ', 'www.instagram.com'],
    ['https://m.instagram.com/x?y', 'm.instagram.com'],
    ['http://user:secret@www.instagram.com:8443/p/abc#top', 'www.instagram.com'],
    ['wss://edge-chat.instagram.com/chat', 'edge-chat.instagram.com'],
    ['instagram.com:443', 'instagram.com'],
    ['//www.instagram.com/reels', 'www.instagram.com'],
    // Percent-escapes in a host are decoded, as the browser does before connecting.
    ['http://%69nstagram.com/', 'instagram.com'],
    // A backslash ends the host in http(s) URLs, in browsers as here.
    ['http://instagram.com\\evil.example', 'instagram.com'],
  ])('matches %j as Instagram (host %s)', (input, host) => {
    const result = index.classifyDomain(input);
    expect(result).toMatchObject({ kind: 'domain', input, host, category: 'social', service: 'instagram', neverBlock: false, evidence: 'domain' });
  });

  it.each([
    'notinstagram.com',
    'evilinstagram.com',
    'instagram.com.evil.example',
    'www.instagram.com.evil.example.',
    'instagram.co',
    'instagram',
    'com',
    'https://evil.example/instagram.com',
    'https://evil.example/?next=https://www.instagram.com/',
    'http://instagram.com@evil.example/',
    'evil.example#instagram.com',
    'evil.example?instagram.com',
    'instagram-com.example',
    'xn--instagram-xyz.com',
  ])('does not match %j', (input) => {
    expect(index.classifyDomain(input)).toMatchObject({ category: null, service: null, neverBlock: false });
  });

  it.each([
    '',
    '   ',
    'insta gram.com',
    'www.instagram.com evil.example',
    '127.0.0.1',
    'http://157.240.201.174/',
    '0x7f.1',
    '2130706433',
    '[::1]',
    'http://[2001:db8::1]:443/',
    'http://',
    '://',
    '.',
    '..',
    'a..instagram.com',
    '*.instagram.com',
    'instagram.com:',
    'mailto:someone@instagram.com',
    'javascript:alert(1)',
    'http://exa mple.com',
    '\u0000instagram.com',
    'x'.repeat(300) + '.com',
  ])('returns no category, without throwing, for unusable input %j', (input) => {
    const result = index.classifyDomain(input);
    expect(result).toMatchObject({ kind: 'domain', input, host: null, category: null, service: null, neverBlock: false, evidence: null, matched: null });
  });

  it('converts international names to punycode before matching', () => {
    expect(normalizeHost('https://bücher.example/')).toBe('xn--bcher-kva.example');
    const idn = unvalidatedIndex(catalogWith({ social: { 'xn--bcher-kva.example': 'books' } }));
    expect(idn.classifyDomain('www.bücher.example').service).toBe('books');
  });

  it('names the catalog domain that matched and the host it was found in', () => {
    expect(index.classifyDomain('https://static.cdninstagram.com/rsrc.php')).toMatchObject({
      input: 'https://static.cdninstagram.com/rsrc.php',
      host: 'static.cdninstagram.com',
      matched: 'cdninstagram.com',
    });
  });

  it('lists every service of a shared CDN domain', () => {
    const result = index.classifyDomain('scontent-ams4-1.xx.fbcdn.net');
    expect(result.category).toBe('social');
    expect([...result.services].sort()).toEqual(['facebook', 'instagram', 'threads']);
    expect(result.service).toBe(result.services[0]);
  });

  it('finds the services the brief names by their web and CDN domains', () => {
    expect(serviceOf('static.xx.fbcdn.net')).not.toBeNull();
    expect(serviceOf('pbs.twimg.com')).toBe('x-twitter');
    expect(serviceOf('https://x.com/home')).toBe('x-twitter');
    expect(serviceOf('v16-webapp.tiktokcdn.com')).toBe('tiktok');
    expect(serviceOf('cdn.discordapp.com')).toBe('discord');
    expect(serviceOf('discord.gg')).toBe('discord');
    expect(serviceOf('i.redd.it')).toBe('reddit');
    expect(serviceOf('i.pinimg.com')).toBe('pinterest');
    expect(serviceOf('video-weaver.ams03.hls.ttvnw.net')).toBe('twitch');
    expect(serviceOf('mmg.whatsapp.net')).toBe('whatsapp');
    expect(serviceOf('https://t.me/somechannel')).toBe('telegram');
    expect(serviceOf('bsky.app')).toBe('bluesky');
    expect(serviceOf('www.threads.net')).toBe('threads');
    expect(serviceOf('threads.com')).toBe('threads');
    expect(serviceOf('media.licdn.com')).toBe('linkedin');
    expect(serviceOf('web.snapchat.com')).toBe('snapchat');
    expect(serviceOf('rr3---sn-5hne6nzk.googlevideo.com')).toBe('youtube');
    expect(serviceOf('i.ytimg.com')).toBe('youtube');
    expect(serviceOf('https://youtu.be/dQw4w9WgXcQ')).toBe('youtube');
    expect(index.classifyDomain('www.youtube.com').category).toBe('video');
  });

  describe('never-block domains', () => {
    it.each([
      ['teams.microsoft.com', 'microsoft-teams'],
      ['https://teams.microsoft.com/_#/school/conversations', 'microsoft-teams'],
      ['login.microsoftonline.com', 'microsoft-sign-in'],
      ['aadcdn.msauth.net', 'microsoft-sign-in'],
      ['stedelijk.magister.net', 'magister'],
      ['leerling.somtoday.nl', 'somtoday'],
      ['school.zportal.nl', 'zermelo'],
      ['mese.webuntis.com', 'webuntis'],
      ['antonius.hoyapp.nl', 'hoy'],
      ['contoso-my.sharepoint.com', 'microsoft-office'],
    ])('%s is never blocked (%s)', (input, entry) => {
      expect(index.classifyDomain(input)).toMatchObject({ neverBlock: true, neverBlockEntry: entry, category: null, service: null });
    });

    it('does not stretch to look-alikes or to the rest of microsoft.com', () => {
      expect(index.classifyDomain('microsoft.com').neverBlock).toBe(false);
      expect(index.classifyDomain('xteams.microsoft.com').neverBlock).toBe(false);
      expect(index.classifyDomain('teams.microsoft.com.evil.example').neverBlock).toBe(false);
    });

    it('wins over a blocked parent, and the most specific service domain wins otherwise', () => {
      // Such overlaps fail validation; the matcher still resolves them safely.
      const overlapping = unvalidatedIndex(catalogWith(
        { social: { 'example.com': 'portal' }, video: { 'video.example.com': 'clips' } },
        { 'school.example.com': 'school' },
      ));
      expect(overlapping.classifyDomain('a.school.example.com')).toMatchObject({ neverBlock: true, neverBlockEntry: 'school' });
      expect(overlapping.classifyDomain('x.video.example.com')).toMatchObject({ service: 'clips', category: 'video' });
      expect(overlapping.classifyDomain('www.example.com')).toMatchObject({ service: 'portal', category: 'social' });
    });
  });
});

describe('host names', () => {
  it('lists a host and its parents, most specific first', () => {
    expect(hostAndParents('a.b.example.com')).toEqual(['a.b.example.com', 'b.example.com', 'example.com', 'com']);
  });

  it('accepts catalog domains written as they are matched, including new TLDs', () => {
    expect(catalogDomainProblem('teams.cloud.microsoft')).toBeNull();
    expect(catalogDomainProblem('1drv.ms')).toBeNull();
    expect(catalogDomainProblem('xn--bcher-kva.example')).toBeNull();
    expect(catalogDomainProblem('-bad.example')).toMatch(/not a valid host name/);
  });
});

/** A catalog made in code: domain → service id per category, and never-block domain → entry id. */
function catalogWith(services: Partial<Record<'social' | 'video', Record<string, string>>>, neverBlock: Record<string, string> = {}): Catalog {
  return {
    version: 'test',
    services: Object.entries(services).flatMap(([category, domains]) =>
      Object.entries(domains).map(([domain, id]) => ({ id, name: id, category: category as 'social' | 'video', optIn: false, match: {}, domains: [domain] })),
    ),
    neverBlock: Object.entries(neverBlock).map(([domain, id]) => ({ id, name: id, reason: 'test', match: {}, domains: [domain] })),
  };
}
