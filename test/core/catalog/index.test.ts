import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CatalogIndex } from '../../../src/core/catalog/match.ts';
import type { CatalogView } from '../../../src/core/policy/decide.ts';
import { shippedIndex } from './fixtures.ts';

const index = shippedIndex();

describe('catalog index', () => {
  it('serves as the policy engine\'s catalog view', () => {
    expectTypeOf<CatalogIndex>().toExtend<CatalogView>();
  });

  describe('servicesIn', () => {
    it('returns the services of the given categories, in catalog order', () => {
      const ids = index.servicesIn(['camera', 'audio-recording']).map((s) => s.id);
      const expected = index.catalog.services.filter((s) => s.category === 'camera' || s.category === 'audio-recording').map((s) => s.id);
      expect(ids).toEqual(expected);
      expect(ids).toContain('windows-camera');
      expect(ids).toContain('audacity');
      expect(ids).not.toContain('obs-studio');
    });

    it('is memoised whatever the order or repetition of categories', () => {
      const first = index.servicesIn(['social', 'video']);
      expect(index.servicesIn(['video', 'social', 'social'])).toBe(first);
      expect(Object.isFrozen(first)).toBe(true);
    });

    it('returns nothing for no categories', () => {
      expect(index.servicesIn([])).toEqual([]);
    });
  });

  describe('domainsOf', () => {
    it('returns the services\' domains, sorted and unique', () => {
      expect(index.domainsOf(['reddit', 'bereal', 'reddit'])).toEqual(['bere.al', 'bereal.com', 'redd.it', 'reddit.com', 'redditmedia.com', 'redditstatic.com']);
    });

    it('includes a shared CDN only when every service that needs it is blocked', () => {
      expect(index.domainsOf(['instagram'])).toEqual(['ddinstagram.com', 'ig.me', 'imginn.com', 'instagr.am', 'instagram.com', 'picuki.com']);
      expect(index.domainsOf(['instagram', 'threads'])).toContain('cdninstagram.com');
      expect(index.domainsOf(['instagram', 'threads'])).not.toContain('fbcdn.net');
      expect(index.domainsOf(['facebook', 'instagram', 'threads'])).toEqual(expect.arrayContaining(['fbcdn.net', 'cdninstagram.com']));
    });

    it('blocks the front-ends and mirrors that show social media without its own domain, and the smaller networks', () => {
      const social = index.domainsOf(index.servicesIn(['social']).map((s) => s.id));
      for (const mirror of ['imginn.com', 'picuki.com', 'ddinstagram.com', 'vxtwitter.com', 'fxtwitter.com', 'nitter.net', 'tiktok.eu', 'tiktokv.eu', 'snap.com', 'bitmoji.com', 'tumblr.com', 'vk.com', 'kick.com']) {
        expect(social, mirror).toContain(mirror);
      }
      expect(index.classifyDomain('https://www.picuki.com/profile/x')).toMatchObject({ service: 'instagram', category: 'social' });
      expect(index.classifyDomain('loom.com')).toMatchObject({ service: 'loom', category: 'screen-recording' });
      expect(index.classifyProcess('win32', { name: 'bdcam.exe' })).toMatchObject({ service: 'bandicam' });
    });

    it('blocks all social CDNs when all of social media is blocked', () => {
      const social = index.domainsOf(index.servicesIn(['social']).map((s) => s.id));
      expect(social).toEqual(expect.arrayContaining(['fbcdn.net', 'cdninstagram.com', 'twimg.com', 'tiktokcdn.com', 'discordapp.com', 'discord.gg', 'redd.it', 'pinimg.com', 'ttvnw.net', 'whatsapp.net', 't.me', 'bsky.app', 'threads.net', 'threads.com']));
      expect(social).not.toContain('youtube.com');
      expect(social).toEqual([...social].sort());
    });

    it('ignores unknown ids and services without domains', () => {
      expect(index.domainsOf(['no-such-service', 'obs-studio'])).toEqual([]);
      expect(index.domainsOf([])).toEqual([]);
    });

    it('is memoised whatever the order of ids', () => {
      expect(index.domainsOf(['tiktok', 'youtube'])).toBe(index.domainsOf(['youtube', 'tiktok']));
    });
  });

  it('looks up services and never-block entries by id', () => {
    expect(index.service('youtube')?.name).toBe('YouTube');
    expect(index.service('microsoft-teams')).toBeUndefined();
    expect(index.neverBlockEntry('microsoft-teams')?.name).toBe('Microsoft Teams');
    expect(index.neverBlockEntry('youtube')).toBeUndefined();
  });

  it('lists the never-block domains, sorted, for allow lists', () => {
    expect(index.neverBlockDomains).toEqual([...index.neverBlockDomains].sort());
    expect(index.neverBlockDomains).toEqual(expect.arrayContaining(['teams.microsoft.com', 'login.microsoftonline.com', 'magister.net', 'somtoday.nl']));
  });
});
