// Where each browser reads managed policy on Linux, and what Lesmodus puts
// there. Chromium-family browsers merge every file in their managed/
// directory, so Lesmodus owns two files of its own there; Firefox reads one
// policies.json, which an admin may own.
import { BROWSERS, type BrowserId, type ChromiumBrowser, isChromiumBrowser } from './browsers.ts';
import { chromiumLessonPolicy, chromiumRoutePolicy } from './chromium-policy.ts';
import { firefoxPolicies } from './firefox-policy.ts';
import { OWN_FILE_PREFIX, type PlannedFile } from './policy-files.ts';
import type { ProxyRoute } from './proxy-route.ts';
import type { BrowserRestrictions } from './restrictions.ts';

/**
 * The managed-policy directories the vendors' Linux packages read
 * (Debian/Ubuntu/Fedora builds of Chromium use /etc/chromium; the Chromium
 * snap reads /etc/chromium-browser and is not covered).
 */
export const LINUX_CHROMIUM_MANAGED_DIRS: Readonly<Record<ChromiumBrowser, string>> = Object.freeze({
  chrome: '/etc/opt/chrome/policies/managed',
  chromium: '/etc/chromium/policies/managed',
  edge: '/etc/opt/edge/policies/managed',
  brave: '/etc/brave/policies/managed',
});

/** System-wide Firefox policies (read by Mozilla's builds and the distribution packages). */
export const LINUX_FIREFOX_POLICIES = '/etc/firefox/policies/policies.json';

/** Lesmodus's own state, where it records what it wrote into files it shares with admins. */
export const LINUX_OWNER_RECORD_DIR = '/var/lib/lesmodus/browser-policy';

/** Changes with every lesson: URLBlocklist and capture. */
export const LESSON_FILE = `${OWN_FILE_PREFIX}lesson.json`;
/** Set once at install: the route of the catalog's domains through the decision proxy. */
export const ROUTE_FILE = `${OWN_FILE_PREFIX}route.json`;

export function linuxPolicyPlan(
  restrictions: BrowserRestrictions,
  route: ProxyRoute | null,
  browsers: readonly BrowserId[] = BROWSERS,
): PlannedFile[] {
  const plan: PlannedFile[] = [];
  for (const browser of browsers) {
    if (isChromiumBrowser(browser)) {
      const dir = LINUX_CHROMIUM_MANAGED_DIRS[browser];
      plan.push({ kind: 'own-json', path: `${dir}/${ROUTE_FILE}`, policy: route ? chromiumRoutePolicy(route) : null });
      plan.push({ kind: 'own-json', path: `${dir}/${LESSON_FILE}`, policy: chromiumLessonPolicy(restrictions) });
    } else {
      const document = firefoxPolicies(restrictions, route);
      plan.push({
        kind: 'shared',
        path: LINUX_FIREFOX_POLICIES,
        content: document ? `${JSON.stringify(document, null, 2)}\n` : null,
        ownerRecord: `${LINUX_OWNER_RECORD_DIR}/firefox-policies.json.owner`,
      });
    }
  }
  return plan;
}
