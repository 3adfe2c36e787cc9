// Applies a registry plan through an injected registry interface (a reg.exe
// or native implementation on Windows; an in-memory one in tests). Lesmodus
// sets a policy only where no one else has set it, and removes only what it
// set itself, as recorded in its ledger.
import type { BrowserId } from './browsers.ts';
import type { PolicyWriter } from './browser-enforcer.ts';
import { WINDOWS_POLICY_KEYS, windowsRegistryPlan, type RegistryPolicy, type RegistryValue } from './windows-registry-plan.ts';

export interface RegistryApi {
  /** Every value at `key` and in all its subkeys; empty when the key does not exist. */
  listValues(key: string): Promise<RegistryValue[]>;
  setValue(value: RegistryValue): Promise<void>;
  deleteValue(key: string, name: string): Promise<void>;
  /** Deletes `key` when no values or subkeys are left in it; otherwise does nothing. */
  deleteKeyIfEmpty(key: string): Promise<void>;
}

export interface RegistryValueId {
  readonly key: string;
  readonly name: string;
}

/** Which registry values Lesmodus set (kept under its own key or data directory, not in the policy keys). */
export interface RegistryLedger {
  load(): Promise<readonly RegistryValueId[]>;
  save(values: readonly RegistryValueId[]): Promise<void>;
}

export interface RegistryReport {
  readonly set: readonly RegistryValue[];
  readonly deleted: readonly RegistryValueId[];
  /** Policies left to whoever set them first. */
  readonly skipped: readonly { readonly key: string; readonly name: string }[];
  readonly warnings: readonly string[];
}

/** The registry compares names case-insensitively; so must we. */
const idOf = (v: RegistryValueId) => JSON.stringify([v.key.toLowerCase(), v.name.toLowerCase()]);

function inPolicy(value: RegistryValueId, policy: { key: string; name: string }): boolean {
  const key = value.key.toLowerCase();
  const base = policy.key.toLowerCase();
  const sub = `${base}\\${policy.name.toLowerCase()}`;
  return (key === base && value.name.toLowerCase() === policy.name.toLowerCase()) || key === sub || key.startsWith(`${sub}\\`);
}

const sameValue = (a: RegistryValue, b: RegistryValue) => a.type === b.type && a.data === b.data;

export async function applyRegistryPlan(
  plan: readonly RegistryPolicy[],
  api: RegistryApi,
  ledger: RegistryLedger,
  options: { readonly dryRun: boolean },
): Promise<RegistryReport> {
  const owned = new Map((await ledger.load()).map((v) => [idOf(v), v]));
  const set: RegistryValue[] = [];
  const deleted: RegistryValueId[] = [];
  const skipped: { key: string; name: string }[] = [];
  const warnings: string[] = [];
  const wanted = new Set<string>();
  const existingByKey = new Map<string, RegistryValue[]>();

  for (const policy of plan) {
    if (!existingByKey.has(policy.key)) existingByKey.set(policy.key, await api.listValues(policy.key));
    const existing = existingByKey.get(policy.key)!.filter((v) => inPolicy(v, policy));
    if (existing.some((v) => !owned.has(idOf(v)))) {
      skipped.push({ key: policy.key, name: policy.name });
      warnings.push(`${policy.key}\\${policy.name} is already set by someone else (GPO, Intune?); Lesmodus leaves it as it is`);
      // Values we set earlier in a policy someone has since taken over are theirs now.
      for (const v of existing) wanted.add(idOf(v));
      continue;
    }
    for (const value of policy.values) {
      wanted.add(idOf(value));
      const current = existing.find((v) => idOf(v) === idOf(value));
      if (!current || !sameValue(current, value)) set.push(value);
    }
  }
  for (const [id, value] of owned) if (!wanted.has(id)) deleted.push(value);

  if (!options.dryRun) {
    // Record before writing: a crash mid-way must not leave values of ours
    // that a later run would take for someone else's.
    const afterSet = new Map(owned);
    for (const value of set) afterSet.set(idOf(value), { key: value.key, name: value.name });
    await ledger.save([...afterSet.values()]);
    for (const value of set) await api.setValue(value);
    for (const value of deleted) {
      await api.deleteValue(value.key, value.name);
      afterSet.delete(idOf(value));
    }
    for (const key of emptiedKeys(deleted)) await api.deleteKeyIfEmpty(key);
    await ledger.save([...afterSet.values()].filter((v) => wanted.has(idOf(v)) && !skippedHas(skipped, v)));
  }
  return { set, deleted, skipped, warnings };
}

/**
 * The subkeys a deletion may have emptied, deepest first, up to (not
 * including) the browser's policy key, which belongs to the admin.
 */
function emptiedKeys(deleted: readonly RegistryValueId[]): string[] {
  const roots = Object.values(WINDOWS_POLICY_KEYS).map((k) => k.toLowerCase());
  const keys = new Set<string>();
  for (const { key } of deleted) {
    for (let k = key; roots.some((root) => k.toLowerCase().startsWith(`${root}\\`)); k = k.slice(0, k.lastIndexOf('\\'))) keys.add(k);
  }
  return [...keys].sort((a, b) => b.length - a.length);
}

function skippedHas(skipped: readonly { key: string; name: string }[], value: RegistryValueId): boolean {
  return skipped.some((p) => inPolicy(value, p));
}

export interface WindowsPolicyWriterOptions {
  readonly api: RegistryApi;
  readonly ledger: RegistryLedger;
  readonly dryRun: boolean;
  readonly browsers?: readonly BrowserId[];
}

export function windowsPolicyWriter(options: WindowsPolicyWriterOptions): PolicyWriter<RegistryReport> {
  return (restrictions, route) =>
    applyRegistryPlan(windowsRegistryPlan(restrictions, route, options.browsers), options.api, options.ledger, { dryRun: options.dryRun });
}
