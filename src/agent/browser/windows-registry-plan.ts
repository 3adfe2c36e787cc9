// Browser policy on Windows lives in the registry under HKLM\SOFTWARE\Policies,
// in keys an admin's GPO or Intune writes too, so Lesmodus owns individual
// policies there, never whole keys. This file says which values; the writer
// (windows-registry-writer.ts) decides whether it may set them.
import { BROWSERS, type BrowserId, isChromiumBrowser } from './browsers.ts';
import { chromiumLessonPolicy, chromiumRoutePolicy } from './chromium-policy.ts';
import { firefoxPolicies } from './firefox-policy.ts';
import type { ProxyRoute } from './proxy-route.ts';
import type { BrowserRestrictions } from './restrictions.ts';

export const WINDOWS_POLICY_KEYS: Readonly<Record<BrowserId, string>> = Object.freeze({
  chrome: 'HKLM\\SOFTWARE\\Policies\\Google\\Chrome',
  chromium: 'HKLM\\SOFTWARE\\Policies\\Chromium',
  edge: 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Edge',
  brave: 'HKLM\\SOFTWARE\\Policies\\BraveSoftware\\Brave',
  firefox: 'HKLM\\SOFTWARE\\Policies\\Mozilla\\Firefox',
});

export interface RegistryValue {
  readonly key: string;
  readonly name: string;
  readonly type: 'REG_SZ' | 'REG_DWORD';
  readonly data: string | number;
}

/**
 * One policy as Lesmodus wants it, and the unit of ownership: the value
 * `name` in `key` plus everything under the subkey `key\name`.
 */
export interface RegistryPolicy {
  readonly browser: BrowserId;
  readonly key: string;
  readonly name: string;
  readonly values: readonly RegistryValue[];
}

/**
 * Chromium's registry encoding: booleans and integers as REG_DWORD, strings
 * as REG_SZ, a list as a subkey named after the policy holding "1", "2", …,
 * and a dictionary (ProxySettings) as its JSON text in a REG_SZ.
 */
function chromiumValues(key: string, name: string, value: unknown): RegistryValue[] {
  if (typeof value === 'boolean') return [{ key, name, type: 'REG_DWORD', data: value ? 1 : 0 }];
  if (typeof value === 'number') return [{ key, name, type: 'REG_DWORD', data: value }];
  if (typeof value === 'string') return [{ key, name, type: 'REG_SZ', data: value }];
  if (Array.isArray(value)) return value.map((item, i) => ({ key: `${key}\\${name}`, name: String(i + 1), type: 'REG_SZ', data: String(item) }));
  return [{ key, name, type: 'REG_SZ', data: JSON.stringify(value) }];
}

/**
 * Firefox's encoding (its WindowsGPOParser reads it back): an object is a
 * subkey, a list is a subkey of values "1", "2", …, a boolean a REG_DWORD.
 */
function firefoxValues(key: string, name: string, value: unknown): RegistryValue[] {
  if (typeof value === 'boolean') return [{ key, name, type: 'REG_DWORD', data: value ? 1 : 0 }];
  if (typeof value === 'number') return [{ key, name, type: 'REG_DWORD', data: value }];
  if (typeof value === 'string') return [{ key, name, type: 'REG_SZ', data: value }];
  const sub = `${key}\\${name}`;
  if (Array.isArray(value)) return value.map((item, i) => ({ key: sub, name: String(i + 1), type: 'REG_SZ', data: String(item) }));
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => firefoxValues(sub, k, v));
}

/** The registry policies Lesmodus wants for a decision: route (if any) and lesson restrictions. */
export function windowsRegistryPlan(
  restrictions: BrowserRestrictions,
  route: ProxyRoute | null,
  browsers: readonly BrowserId[] = BROWSERS,
): RegistryPolicy[] {
  const plan: RegistryPolicy[] = [];
  for (const browser of browsers) {
    const key = WINDOWS_POLICY_KEYS[browser];
    if (isChromiumBrowser(browser)) {
      const policy = { ...(route ? chromiumRoutePolicy(route) : {}), ...chromiumLessonPolicy(restrictions) };
      for (const [name, value] of Object.entries(policy)) plan.push({ browser, key, name, values: chromiumValues(key, name, value) });
    } else {
      const document = firefoxPolicies(restrictions, route);
      for (const [name, value] of Object.entries(document?.policies ?? {})) plan.push({ browser, key, name, values: firefoxValues(key, name, value) });
    }
  }
  return plan;
}
