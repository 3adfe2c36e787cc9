// Managed policy for the Chromium family (Chrome, Chromium, Edge, Brave): the
// same policy names and value formats on every OS; only where they are stored
// differs (Linux JSON files, Windows registry, macOS plist).
import { translateProxyHostsOf } from '../../core/catalog/translate-proxy.ts';
import type { ProxyRoute } from './proxy-route.ts';
import type { BrowserRestrictions } from './restrictions.ts';
import { isUnrestricted } from './restrictions.ts';

export interface ChromiumLessonPolicy {
  URLBlocklist?: string[];
  URLAllowlist?: string[];
  VideoCaptureAllowed?: false;
  AudioCaptureAllowed?: false;
  ScreenCaptureAllowed?: false;
}

export interface ChromiumRoutePolicy {
  ProxySettings: { ProxyMode: 'pac_script'; ProxyPacUrl: string };
}

/** Every policy name Lesmodus may set, lesson and route together: what a conflict check looks for. */
export const CHROMIUM_POLICY_NAMES = [
  'URLBlocklist', 'URLAllowlist', 'VideoCaptureAllowed', 'AudioCaptureAllowed', 'ScreenCaptureAllowed', 'ProxySettings',
] as const;

/**
 * Chromium's URL filter for a catalog domain. A bare host ("instagram.com",
 * no leading dot, no scheme) matches the host and every subdomain, by label,
 * for every scheme: exactly how the catalog means a domain. A leading dot
 * would limit it to the exact host. (Each list takes at most 1000 entries;
 * the catalog has a few dozen domains.)
 * https://chromium.org/administrators/url-blocklist-filter-format
 */
export function chromiumUrlFilter(domain: string): string {
  return domain;
}

/**
 * The lesson policy, or null when nothing is restricted (our file is then
 * removed rather than relaxed: an absent file leaves every setting to the
 * admin, while a "relaxed" VideoCaptureAllowed: true would override an
 * admin's own choice). Never-block domains under a blocked one go on the
 * allowlist: the most specific filter wins, so they stay reachable.
 */
export function chromiumLessonPolicy(r: BrowserRestrictions): ChromiumLessonPolicy | null {
  if (isUnrestricted(r)) return null;
  const policy: ChromiumLessonPolicy = {};
  // With each domain its Google Translate proxy hosts (instagram-com.translate.goog), where a host can name them.
  if (r.blockedDomains.length > 0) policy.URLBlocklist = r.blockedDomains.flatMap((d) => [d, ...translateProxyHostsOf(d)]).map(chromiumUrlFilter);
  if (r.allowedDomains.length > 0) policy.URLAllowlist = r.allowedDomains.map(chromiumUrlFilter);
  if (r.camera) policy.VideoCaptureAllowed = false;
  if (r.microphone) policy.AudioCaptureAllowed = false;
  if (r.screen) policy.ScreenCaptureAllowed = false;
  return policy;
}

/** The route set once at install: the catalog's domains go through the decision proxy. */
export function chromiumRoutePolicy(route: ProxyRoute): ChromiumRoutePolicy {
  return { ProxySettings: { ProxyMode: 'pac_script', ProxyPacUrl: route.pacUrl } };
}
