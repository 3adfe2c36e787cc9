import { isSameOrSubdomain, normalizeHost } from './hostnames.ts';

// Google Translate's website proxy serves any site under a host made from the
// site's name: www.instagram.com is proxied at www-instagram-com.translate.goog
// (each dot becomes a dash, each dash a double dash). Without this, a blocked
// site is one rewritten host away, so a translate.goog host is judged as the
// host it proxies.

/** The proxy's domain: every proxied site lies directly under it. */
export const TRANSLATE_PROXY_DOMAIN = 'translate.goog';

const MAX_LABEL_LENGTH = 63;

/**
 * The host a translate.goog host proxies ("www-instagram-com.translate.goog" →
 * "www.instagram.com"), or null when `host` is not such a proxy host (or
 * names nothing usable). `host` is a normalised host (normalizeHost).
 */
export function translateProxiedHost(host: string): string | null {
  if (!isSameOrSubdomain(host, TRANSLATE_PROXY_DOMAIN) || host === TRANSLATE_PROXY_DOMAIN) return null;
  const labels = host.slice(0, -(TRANSLATE_PROXY_DOMAIN.length + 1)).split('.');
  // The proxied name is the label just above translate.goog; anything in front of it is not part of the site.
  const encoded = labels[labels.length - 1] ?? '';
  const decoded = encoded.split('--').map((part) => part.replaceAll('-', '.')).join('-');
  const proxied = normalizeHost(decoded);
  return proxied !== null && proxied.includes('.') ? proxied : null;
}

/** The translate.goog host that proxies `host` ("instagram.com" → "instagram-com.translate.goog"), or null when it would not fit in one label. */
export function translateProxyHost(host: string): string | null {
  const label = host.replaceAll('-', '--').replaceAll('.', '-');
  return label.length > MAX_LABEL_LENGTH ? null : `${label}.${TRANSLATE_PROXY_DOMAIN}`;
}

/**
 * The translate.goog hosts a browser's own URL blocklist can name for a
 * blocked domain: the domain and its www host. A block list cannot say "every
 * subdomain, proxied" (m-instagram-com.translate.goog is a host of its own),
 * so the decision proxy, which decodes any of them, stays the complete check.
 */
export function translateProxyHostsOf(domain: string): string[] {
  return [domain, `www.${domain}`].map(translateProxyHost).filter((host): host is string => host !== null);
}
