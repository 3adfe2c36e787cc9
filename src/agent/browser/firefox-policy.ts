// Firefox enterprise policies (policies.json on Linux, the registry on
// Windows, a plist on macOS): one document holds everything Lesmodus sets,
// because Firefox reads a single policies.json.
import type { ProxyRoute } from './proxy-route.ts';
import type { BrowserRestrictions } from './restrictions.ts';
import { isUnrestricted } from './restrictions.ts';

interface PermissionBlock {
  BlockNewRequests: true;
  Locked: true;
}

export interface FirefoxPolicies {
  Proxy?: { Mode: 'autoConfig'; AutoConfigURL: string; Locked: true };
  WebsiteFilter?: { Block: string[]; Exceptions?: string[] };
  Permissions?: { Camera?: PermissionBlock; Microphone?: PermissionBlock; ScreenShare?: PermissionBlock };
}

/** The policies.json document: Firefox wants the policies under a "policies" key. */
export interface FirefoxPoliciesFile {
  policies: FirefoxPolicies;
}

/**
 * A WebExtension match pattern for a catalog domain: "*.instagram.com"
 * matches instagram.com itself and every subdomain, by label, and "*://"
 * covers http and https.
 * https://developer.mozilla.org/en-US/docs/Mozilla/Add-ons/WebExtensions/Match_patterns
 */
export function firefoxMatchPattern(domain: string): string {
  return `*://*.${domain}/*`;
}

const BLOCK: PermissionBlock = { BlockNewRequests: true, Locked: true };

/**
 * What Lesmodus sets in Firefox, or null when there is nothing (no route, no
 * restrictions): the file is then removed. Permissions.ScreenShare is a
 * recent addition to Firefox's policy schema; a Firefox without it reports
 * it as unknown in about:policies and still applies the rest.
 */
export function firefoxPolicies(r: BrowserRestrictions, route: ProxyRoute | null): FirefoxPoliciesFile | null {
  const policies: FirefoxPolicies = {};
  if (route) policies.Proxy = { Mode: 'autoConfig', AutoConfigURL: route.pacUrl, Locked: true };
  if (!isUnrestricted(r)) {
    if (r.blockedDomains.length > 0) {
      policies.WebsiteFilter = { Block: r.blockedDomains.map(firefoxMatchPattern) };
      if (r.allowedDomains.length > 0) policies.WebsiteFilter.Exceptions = r.allowedDomains.map(firefoxMatchPattern);
    }
    const permissions: NonNullable<FirefoxPolicies['Permissions']> = {};
    if (r.camera) permissions.Camera = { ...BLOCK };
    if (r.microphone) permissions.Microphone = { ...BLOCK };
    if (r.screen) permissions.ScreenShare = { ...BLOCK };
    if (Object.keys(permissions).length > 0) policies.Permissions = permissions;
  }
  return Object.keys(policies).length > 0 ? { policies } : null;
}
