// Managed preferences on macOS: one plist per browser, named after its
// preference domain, in /Library/Managed Preferences. A school's MDM writes
// the same files, so Lesmodus treats each as shared: it writes one only when
// it is absent or still exactly Lesmodus's.
import { BROWSERS, type BrowserId, isChromiumBrowser } from './browsers.ts';
import { chromiumLessonPolicy, chromiumRoutePolicy } from './chromium-policy.ts';
import { plistXml, type PlistValue } from './darwin-plist.ts';
import { firefoxPolicies } from './firefox-policy.ts';
import type { PlannedFile } from './policy-files.ts';
import type { ProxyRoute } from './proxy-route.ts';
import type { BrowserRestrictions } from './restrictions.ts';

export const DARWIN_PREFERENCE_DOMAINS: Readonly<Record<BrowserId, string>> = Object.freeze({
  chrome: 'com.google.Chrome',
  chromium: 'org.chromium.Chromium',
  edge: 'com.microsoft.Edge',
  brave: 'com.brave.Browser',
  firefox: 'org.mozilla.firefox',
});

export const DARWIN_MANAGED_PREFERENCES_DIR = '/Library/Managed Preferences';
export const DARWIN_OWNER_RECORD_DIR = '/Library/Application Support/Lesmodus/browser-policy';

/** The preference dictionary for one browser, or null when Lesmodus sets nothing there. */
export function darwinPreferences(browser: BrowserId, restrictions: BrowserRestrictions, route: ProxyRoute | null): Record<string, PlistValue> | null {
  if (isChromiumBrowser(browser)) {
    const policy = { ...(route ? chromiumRoutePolicy(route) : {}), ...chromiumLessonPolicy(restrictions) };
    return Object.keys(policy).length > 0 ? (policy as Record<string, PlistValue>) : null;
  }
  const document = firefoxPolicies(restrictions, route);
  // Firefox on macOS reads policies from its domain only when told to.
  return document ? { EnterprisePoliciesEnabled: true, ...(document.policies as Record<string, PlistValue>) } : null;
}

export function darwinPolicyPlan(
  restrictions: BrowserRestrictions,
  route: ProxyRoute | null,
  browsers: readonly BrowserId[] = BROWSERS,
): PlannedFile[] {
  return browsers.map((browser) => {
    const domain = DARWIN_PREFERENCE_DOMAINS[browser];
    const preferences = darwinPreferences(browser, restrictions, route);
    return {
      kind: 'shared',
      path: `${DARWIN_MANAGED_PREFERENCES_DIR}/${domain}.plist`,
      content: preferences ? plistXml(preferences) : null,
      ownerRecord: `${DARWIN_OWNER_RECORD_DIR}/${domain}.plist.owner`,
    };
  });
}
