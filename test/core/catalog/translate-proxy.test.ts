import { describe, expect, it } from 'vitest';
import { translateProxiedHost, translateProxyHost } from '../../../src/core/catalog/translate-proxy.ts';
import { shippedIndex } from './fixtures.ts';

const index = shippedIndex();

describe('Google Translate proxy hosts (*.translate.goog)', () => {
  it.each([
    ['www-instagram-com.translate.goog', 'www.instagram.com'],
    ['instagram-com.translate.goog', 'instagram.com'],
    // A dash in the site's name is doubled.
    ['teams-for--linux-example-com.translate.goog', 'teams.for-linux.example.com'],
    ['www-tik--tok-example.translate.goog', 'www.tik-tok.example'],
  ])('%s proxies %s, and back', (proxy, site) => {
    expect(translateProxiedHost(proxy)).toBe(site);
    expect(translateProxyHost(site)).toBe(proxy);
  });

  it.each(['translate.goog', 'example.com', 'com.translate.goog', 'goog', 'translate.goog.evil.example', 'nottranslate.goog'])('%s proxies nothing', (host) => {
    expect(translateProxiedHost(host)).toBeNull();
  });

  it('a name too long for one label has no proxy host', () => {
    expect(translateProxyHost(`${'a'.repeat(60)}.example.com`)).toBeNull();
  });

  it.each([
    'www-instagram-com.translate.goog',
    'https://www-instagram-com.translate.goog/p/abc?_x_tr_sl=auto&_x_tr_tl=nl',
    'WWW-INSTAGRAM-COM.translate.goog.',
    'm-instagram-com.translate.goog',
  ])('classifyDomain judges %s as Instagram', (input) => {
    expect(index.classifyDomain(input)).toMatchObject({ input, category: 'social', service: 'instagram', matched: 'instagram.com', evidence: 'domain', neverBlock: false });
  });

  it('sees through the proxy proxied by itself', () => {
    const twice = translateProxyHost(translateProxyHost('www.instagram.com')!)!;
    expect(twice).toBe('www--instagram--com-translate-goog.translate.goog');
    expect(index.classifyDomain(twice)).toMatchObject({ service: 'instagram', host: twice });
  });

  it('a proxied never-block site stays never-blocked, and a proxied unknown site stays unknown', () => {
    expect(index.classifyDomain('teams-microsoft-com.translate.goog')).toMatchObject({ neverBlock: true, service: null });
    expect(index.classifyDomain('www-wikipedia-org.translate.goog')).toMatchObject({ neverBlock: false, service: null, category: null });
    // The proxy's own pages are not a site of the catalog.
    expect(index.classifyDomain('translate.goog')).toMatchObject({ service: null, neverBlock: false });
    // A look-alike outside translate.goog is not decoded.
    expect(index.classifyDomain('www-instagram-com.translate.goog.evil.example').service).toBeNull();
  });
});
