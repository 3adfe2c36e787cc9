import { hostAndParents, normalizeHost } from '../../core/catalog/hostnames.ts';
import { translateProxiedHost } from '../../core/catalog/translate-proxy.ts';
import type { BrowserRestrictions } from './restrictions.ts';

export type HostVerdict = { readonly blocked: false } | { readonly blocked: true; readonly domain: string };

export type HostGate = (host: string) => HostVerdict;

const ALLOWED: HostVerdict = Object.freeze({ blocked: false });

/**
 * The decision proxy's verdict on a host, by label like the catalog: a
 * never-block exception under a blocked domain wins (most specific first),
 * then the blocked domain; a translate.goog proxy host counts as the host it
 * proxies. IP literals and unusable names match no domain
 * and pass: the PAC never routes them here, and refusing them would only
 * break something the decision never meant to block.
 */
export function hostGate(r: BrowserRestrictions): HostGate {
  const blocked = new Set(r.blockedDomains);
  const allowed = new Set(r.allowedDomains);
  return (host) => {
    let name = normalizeHost(host);
    if (name === null) return ALLOWED;
    // A Google Translate proxy host (www-instagram-com.translate.goog) is judged as the site it proxies,
    // also proxied twice over (each decoding is shorter, so this ends).
    for (let proxied = translateProxiedHost(name); proxied !== null; proxied = translateProxiedHost(name)) name = proxied;
    for (const candidate of hostAndParents(name)) {
      if (allowed.has(candidate)) return ALLOWED;
      if (blocked.has(candidate)) return { blocked: true, domain: candidate };
    }
    return ALLOWED;
  };
}
