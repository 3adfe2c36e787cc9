import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { catalogRoute } from '../../../src/agent/browser/browser-enforcer.ts';
import { pacDataUrl, pacScript } from '../../../src/agent/browser/pac-script.ts';
import { CATALOG_DOMAINS, NEVER_BLOCK, SCHOOL, SCHOOL_UNDER_SOCIAL, SOCIAL, VIDEO } from './fixtures.ts';

const PROXY = { host: '127.0.0.1', port: 981 };
const script = pacScript({ routedDomains: CATALOG_DOMAINS, neverBlockDomains: NEVER_BLOCK, proxy: PROXY });

/** Runs the script the way a browser's PAC engine does: a bare global scope, FindProxyForURL(url, host). */
function route(host: string): string {
  const sandbox: { FindProxyForURL?: (url: string, host: string) => string } = {};
  runInNewContext(script, sandbox);
  return sandbox.FindProxyForURL!(`https://${host}/`, host);
}

describe('the PAC script', () => {
  it.each([
    [SOCIAL, 'PROXY 127.0.0.1:981'],
    [`www.${SOCIAL}`, 'PROXY 127.0.0.1:981'],
    [`a.b.${VIDEO}`, 'PROXY 127.0.0.1:981'],
    [SOCIAL.toUpperCase(), 'PROXY 127.0.0.1:981'],
    [`${SOCIAL}.`, 'PROXY 127.0.0.1:981'],
    [SCHOOL_UNDER_SOCIAL, 'DIRECT'],
    [`cdn.${SCHOOL_UNDER_SOCIAL}`, 'DIRECT'],
    [SCHOOL, 'DIRECT'],
    [`not${SOCIAL}`, 'DIRECT'],
    [`${SOCIAL}.evil.example`, 'DIRECT'],
    ['example', 'DIRECT'],
    ['127.0.0.1', 'DIRECT'],
    ['', 'DIRECT'],
  ])('routes %j to %s', (host, expected) => {
    expect(route(host)).toBe(expected);
  });

  it('the catalog route sends translate.goog to the decision proxy, which judges the site it proxies', () => {
    const url = catalogRoute(CATALOG_DOMAINS, NEVER_BLOCK, PROXY).pacUrl;
    const catalogScript = Buffer.from(url.slice(url.indexOf(',') + 1), 'base64').toString('utf8');
    const sandbox: { FindProxyForURL?: (url: string, host: string) => string } = {};
    runInNewContext(catalogScript, sandbox);
    expect(sandbox.FindProxyForURL!('https://www-lesmodus--test--social-example.translate.goog/', 'www-lesmodus--test--social-example.translate.goog')).toBe('PROXY 127.0.0.1:981');
    expect(sandbox.FindProxyForURL!(`https://${SCHOOL}/`, SCHOOL)).toBe('DIRECT');
    // An empty catalog routes nothing, not even translate.goog.
    expect(catalogRoute([], NEVER_BLOCK, PROXY).pacUrl).not.toBe(url);
  });

  it('has no DIRECT fallback for routed hosts, so they fail closed when the agent is down', () => {
    expect(route(SOCIAL)).not.toContain('DIRECT');
  });

  it('travels as a base64 data: URL', () => {
    const url = pacDataUrl(script);
    expect(url.startsWith('data:application/x-ns-proxy-autoconfig;base64,')).toBe(true);
    expect(Buffer.from(url.split(',')[1]!, 'base64').toString('utf8')).toBe(script);
  });
});
