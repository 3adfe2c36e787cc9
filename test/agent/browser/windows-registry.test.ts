import { describe, expect, it } from 'vitest';
import { applyRegistryPlan, type RegistryApi, type RegistryLedger, type RegistryValueId } from '../../../src/agent/browser/windows-registry-writer.ts';
import { windowsRegistryPlan, type RegistryValue } from '../../../src/agent/browser/windows-registry-plan.ts';
import { browserRestrictions, NO_RESTRICTIONS } from '../../../src/agent/browser/restrictions.ts';
import { LESSON_BLOCKED, NEVER_BLOCK, SCHOOL_UNDER_SOCIAL, SOCIAL, SOCIAL_FILTERS } from './fixtures.ts';

const ROUTE = { pacUrl: 'data:application/x-ns-proxy-autoconfig;base64,AA==' };
const LESSON = browserRestrictions(LESSON_BLOCKED, NEVER_BLOCK);
const CHROME = 'HKLM\\SOFTWARE\\Policies\\Google\\Chrome';
const FIREFOX = 'HKLM\\SOFTWARE\\Policies\\Mozilla\\Firefox';

describe('Windows registry values', () => {
  it('encodes Chromium policy: lists as numbered subkey values, booleans as DWORD, ProxySettings as JSON text', () => {
    const values = windowsRegistryPlan(LESSON, ROUTE, ['chrome']).flatMap((p) => p.values);
    expect(values).toEqual([
      { key: CHROME, name: 'ProxySettings', type: 'REG_SZ', data: JSON.stringify({ ProxyMode: 'pac_script', ProxyPacUrl: ROUTE.pacUrl }) },
      ...SOCIAL_FILTERS.map((data, i) => ({ key: `${CHROME}\\URLBlocklist`, name: String(i + 1), type: 'REG_SZ', data })),
      { key: `${CHROME}\\URLAllowlist`, name: '1', type: 'REG_SZ', data: SCHOOL_UNDER_SOCIAL },
      { key: CHROME, name: 'VideoCaptureAllowed', type: 'REG_DWORD', data: 0 },
      { key: CHROME, name: 'AudioCaptureAllowed', type: 'REG_DWORD', data: 0 },
      { key: CHROME, name: 'ScreenCaptureAllowed', type: 'REG_DWORD', data: 0 },
    ]);
  });

  it('uses each vendor key', () => {
    expect([...new Set(windowsRegistryPlan(NO_RESTRICTIONS, ROUTE).map((p) => p.key))]).toEqual([
      CHROME,
      'HKLM\\SOFTWARE\\Policies\\Chromium',
      'HKLM\\SOFTWARE\\Policies\\Microsoft\\Edge',
      'HKLM\\SOFTWARE\\Policies\\BraveSoftware\\Brave',
      FIREFOX,
    ]);
  });

  it('encodes Firefox policy as nested subkeys the way its GPO reader reads them back', () => {
    const values = windowsRegistryPlan(LESSON, ROUTE, ['firefox']).flatMap((p) => p.values);
    expect(values).toEqual([
      { key: `${FIREFOX}\\Proxy`, name: 'Mode', type: 'REG_SZ', data: 'autoConfig' },
      { key: `${FIREFOX}\\Proxy`, name: 'AutoConfigURL', type: 'REG_SZ', data: ROUTE.pacUrl },
      { key: `${FIREFOX}\\Proxy`, name: 'Locked', type: 'REG_DWORD', data: 1 },
      { key: `${FIREFOX}\\WebsiteFilter\\Block`, name: '1', type: 'REG_SZ', data: `*://*.${SOCIAL}/*` },
      { key: `${FIREFOX}\\WebsiteFilter\\Exceptions`, name: '1', type: 'REG_SZ', data: `*://*.${SCHOOL_UNDER_SOCIAL}/*` },
      { key: `${FIREFOX}\\Permissions\\Camera`, name: 'BlockNewRequests', type: 'REG_DWORD', data: 1 },
      { key: `${FIREFOX}\\Permissions\\Camera`, name: 'Locked', type: 'REG_DWORD', data: 1 },
      { key: `${FIREFOX}\\Permissions\\Microphone`, name: 'BlockNewRequests', type: 'REG_DWORD', data: 1 },
      { key: `${FIREFOX}\\Permissions\\Microphone`, name: 'Locked', type: 'REG_DWORD', data: 1 },
      { key: `${FIREFOX}\\Permissions\\ScreenShare`, name: 'BlockNewRequests', type: 'REG_DWORD', data: 1 },
      { key: `${FIREFOX}\\Permissions\\ScreenShare`, name: 'Locked', type: 'REG_DWORD', data: 1 },
    ]);
  });
});

/** An in-memory registry: keys are case-insensitive, values too. */
function memoryRegistry(initial: RegistryValue[] = []) {
  const values = new Map<string, RegistryValue>();
  const keys = new Set<string>();
  const id = (key: string, name: string) => `${key.toLowerCase()}|${name.toLowerCase()}`;
  const addKey = (key: string) => {
    for (let k = key; k.includes('\\'); k = k.slice(0, k.lastIndexOf('\\'))) keys.add(k.toLowerCase());
  };
  for (const v of initial) {
    values.set(id(v.key, v.name), v);
    addKey(v.key);
  }
  const api: RegistryApi = {
    async listValues(key) {
      const k = key.toLowerCase();
      return [...values.values()].filter((v) => v.key.toLowerCase() === k || v.key.toLowerCase().startsWith(`${k}\\`));
    },
    async setValue(v) {
      values.set(id(v.key, v.name), v);
      addKey(v.key);
    },
    async deleteValue(key, name) {
      values.delete(id(key, name));
    },
    async deleteKeyIfEmpty(key) {
      const k = key.toLowerCase();
      const busy = [...values.values()].some((v) => v.key.toLowerCase() === k || v.key.toLowerCase().startsWith(`${k}\\`))
        || [...keys].some((other) => other.startsWith(`${k}\\`));
      if (!busy) keys.delete(k);
    },
  };
  let saved: readonly RegistryValueId[] = [];
  const ledger: RegistryLedger = {
    async load() {
      return saved;
    },
    async save(ids) {
      saved = [...ids];
    },
  };
  return { api, ledger, values: () => [...values.values()], keys: () => [...keys].sort(), owned: () => saved };
}

describe('the Windows registry writer', () => {
  it('sets the lesson values, and at the end of the lesson removes them and their subkeys, keeping the route', async () => {
    const reg = memoryRegistry();
    await applyRegistryPlan(windowsRegistryPlan(LESSON, ROUTE, ['chrome']), reg.api, reg.ledger, { dryRun: false });
    expect(reg.values()).toHaveLength(5 + SOCIAL_FILTERS.length);
    const end = await applyRegistryPlan(windowsRegistryPlan(NO_RESTRICTIONS, ROUTE, ['chrome']), reg.api, reg.ledger, { dryRun: false });
    expect(end.set).toEqual([]);
    expect(end.deleted).toHaveLength(4 + SOCIAL_FILTERS.length);
    expect(reg.values().map((v) => v.name)).toEqual(['ProxySettings']);
    expect(reg.keys()).not.toContain(`${CHROME}\\URLBlocklist`.toLowerCase());
    expect(reg.owned()).toEqual([{ key: CHROME, name: 'ProxySettings' }]);
  });

  it('shortens a list it owns without leaving stale entries', async () => {
    const reg = memoryRegistry();
    const two = browserRestrictions({ ...LESSON_BLOCKED, domains: [SOCIAL, `x${SOCIAL}`] }, []);
    await applyRegistryPlan(windowsRegistryPlan(two, null, ['chrome']), reg.api, reg.ledger, { dryRun: false });
    await applyRegistryPlan(windowsRegistryPlan(LESSON, null, ['chrome']), reg.api, reg.ledger, { dryRun: false });
    expect(reg.values().filter((v) => v.key.endsWith('URLBlocklist')).map((v) => [v.name, v.data])).toEqual(SOCIAL_FILTERS.map((f, i) => [String(i + 1), f]));
  });

  it("leaves a policy an admin set alone, whole, and never deletes their values", async () => {
    const theirs: RegistryValue[] = [
      { key: `${CHROME}\\URLBlocklist`, name: '1', type: 'REG_SZ', data: 'games.example' },
      { key: CHROME, name: 'VideoCaptureAllowed', type: 'REG_DWORD', data: 1 },
    ];
    const reg = memoryRegistry(theirs);
    const report = await applyRegistryPlan(windowsRegistryPlan(LESSON, null, ['chrome']), reg.api, reg.ledger, { dryRun: false });
    expect(report.skipped).toEqual([{ key: CHROME, name: 'URLBlocklist' }, { key: CHROME, name: 'VideoCaptureAllowed' }]);
    expect(report.warnings).toHaveLength(2);
    await applyRegistryPlan(windowsRegistryPlan(NO_RESTRICTIONS, null, ['chrome']), reg.api, reg.ledger, { dryRun: false });
    expect(reg.values()).toEqual(theirs);
  });

  it('in dry-run reports the values and writes nothing', async () => {
    const reg = memoryRegistry();
    const report = await applyRegistryPlan(windowsRegistryPlan(LESSON, ROUTE, ['firefox']), reg.api, reg.ledger, { dryRun: true });
    expect(report.set).toHaveLength(11);
    expect(reg.values()).toEqual([]);
    expect(reg.owned()).toEqual([]);
  });
});
