import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import type { PolicyWriter } from './browser-enforcer.ts';
import type { BrowserId } from './browsers.ts';
import { nodePolicyFileSystem } from './node-policy-file-system.ts';
import type { PolicyFileSystem } from './policy-file-system.ts';
import type { ProxyRoute } from './proxy-route.ts';
import type { BrowserRestrictions } from './restrictions.ts';
import { OWN_FILE_PREFIX, type OwnJsonFile, type PlannedFile, type SharedFile } from './policy-files.ts';

export type FileOp = 'write' | 'remove' | 'unchanged' | 'absent' | 'skipped';

export interface FileAction {
  /** The path as the browser reads it. */
  readonly path: string;
  readonly op: FileOp;
  /** For `write`: the content (also in dry-run, where nothing is written). */
  readonly content?: string;
}

export interface WriteReport {
  readonly actions: readonly FileAction[];
  /** Things an admin should know: conflicts with their policy, files left alone. */
  readonly warnings: readonly string[];
  /** Files that could not be updated (permissions, disk full…): enforcement is incomplete for that browser. */
  readonly errors: readonly { readonly path: string; readonly message: string }[];
}

export interface ApplyOptions {
  /** Compute and report, touch nothing. */
  readonly dryRun: boolean;
}

/**
 * Brings the files on disk to `plan`. Never modifies or removes a file that
 * is not Lesmodus's; reports what it left alone and why. Files are handled
 * one by one and a failure is reported, not thrown: one broken directory
 * must not stop enforcement in the other browsers.
 */
export async function applyPolicyFiles(plan: readonly PlannedFile[], fs: PolicyFileSystem, options: ApplyOptions): Promise<WriteReport> {
  const actions: FileAction[] = [];
  const warnings: string[] = [];
  const errors: { path: string; message: string }[] = [];
  for (const file of plan) {
    try {
      actions.push(file.kind === 'own-json' ? await applyOwnJson(file, fs, options, warnings) : await applyShared(file, fs, options, warnings));
    } catch (error) {
      errors.push({ path: fs.describe(file.path), message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { actions, warnings, errors };
}

async function applyOwnJson(file: OwnJsonFile, fs: PolicyFileSystem, options: ApplyOptions, warnings: string[]): Promise<FileAction> {
  let policy = file.policy;
  if (policy) {
    const taken = await keysSetByOthers(dirname(file.path), fs, warnings);
    const conflicts = Object.keys(policy).filter((key) => conflictsWith(key, taken));
    if (conflicts.length > 0) {
      warnings.push(
        `${fs.describe(dirname(file.path))}: another policy file already sets ${conflicts.join(', ')}; ` +
          'Lesmodus leaves those to it (site blocking in running browsers then depends on the decision proxy route).',
      );
      policy = Object.fromEntries(Object.entries(policy).filter(([key]) => !conflicts.includes(key)));
      if (Object.keys(policy).length === 0) policy = null;
    }
  }
  const content = policy ? `${JSON.stringify(policy, null, 2)}\n` : null;
  return reconcile(file.path, content, fs, options);
}

async function reconcile(path: string, content: string | null, fs: PolicyFileSystem, options: ApplyOptions): Promise<FileAction> {
  const current = await fs.readText(path);
  if (content === null) {
    if (current === null) return { path, op: 'absent' };
    if (!options.dryRun) await fs.remove(path);
    return { path, op: 'remove' };
  }
  if (current === content) return { path, op: 'unchanged' };
  if (!options.dryRun) await fs.writeAtomic(path, content);
  return { path, op: 'write', content };
}

/** Chromium folds the old separate proxy policies into ProxySettings: either spelling is the same setting. */
const SAME_SETTING: Readonly<Record<string, readonly string[]>> = {
  ProxySettings: ['ProxySettings', 'ProxyMode', 'ProxyServerMode', 'ProxyServer', 'ProxyPacUrl', 'ProxyBypassList'],
  URLBlocklist: ['URLBlocklist', 'URLBlacklist'],
  URLAllowlist: ['URLAllowlist', 'URLWhitelist'],
};

function conflictsWith(key: string, taken: ReadonlySet<string>): boolean {
  return (SAME_SETTING[key] ?? [key]).some((name) => taken.has(name));
}

/** Policy names set by the files in `dir` that are not Lesmodus's. */
async function keysSetByOthers(dir: string, fs: PolicyFileSystem, warnings: string[]): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const name of await fs.listFiles(dir)) {
    if (name.startsWith(OWN_FILE_PREFIX) || name.startsWith('.')) continue;
    const text = await fs.readText(`${dir}/${name}`);
    const parsed = text === null ? null : parseChromiumJson(text);
    if (parsed === null) {
      if (text !== null) warnings.push(`${fs.describe(`${dir}/${name}`)} is not a JSON object; Chromium ignores it, and so does Lesmodus's conflict check`);
      continue;
    }
    for (const key of Object.keys(parsed)) keys.add(key);
  }
  return keys;
}

/** Chromium reads policy JSON with trailing commas allowed; so must a check of what it will see. */
function parseChromiumJson(text: string): Record<string, unknown> | null {
  for (const candidate of [text, withoutTrailingCommas(text)]) {
    try {
      const value: unknown = JSON.parse(candidate);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
      return null;
    } catch {
      // try the next spelling
    }
  }
  return null;
}

/** Drops commas before a closing bracket, outside strings. */
function withoutTrailingCommas(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (c === ',' && /^\s*[}\]]/.test(text.slice(i + 1))) continue;
    out += c;
  }
  return out;
}

interface OwnerRecord {
  /** SHA-256 of the content Lesmodus last wrote. */
  readonly sha256: string;
  /** SHA-256 of the content before that: still ours if a crash came between record and rename. */
  readonly previous: string | null;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

async function readOwnerRecord(path: string, fs: PolicyFileSystem): Promise<OwnerRecord | null> {
  const text = await fs.readText(path);
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Partial<OwnerRecord>;
    if (typeof value.sha256 !== 'string') return null;
    return { sha256: value.sha256, previous: typeof value.previous === 'string' ? value.previous : null };
  } catch {
    return null;
  }
}

async function applyShared(file: SharedFile, fs: PolicyFileSystem, options: ApplyOptions, warnings: string[]): Promise<FileAction> {
  const current = await fs.readText(file.path);
  const record = await readOwnerRecord(file.ownerRecord, fs);
  if (current !== null) {
    const hash = sha256(current);
    if (!record || (hash !== record.sha256 && hash !== record.previous)) {
      warnings.push(
        `${fs.describe(file.path)} was not written by Lesmodus (or was changed since) and is left as it is, ` +
          "so Lesmodus's settings for this browser are not applied there; move those settings into your MDM, or remove the file to let Lesmodus manage it.",
      );
      return { path: file.path, op: 'skipped' };
    }
  }
  if (file.content === null) {
    if (current === null) {
      if (record && !options.dryRun) await fs.remove(file.ownerRecord);
      return { path: file.path, op: 'absent' };
    }
    if (!options.dryRun) {
      await fs.remove(file.path);
      await fs.remove(file.ownerRecord);
    }
    return { path: file.path, op: 'remove' };
  }
  if (current === file.content) return { path: file.path, op: 'unchanged' };
  if (!options.dryRun) {
    // The record first: a crash before the rename leaves the old content,
    // which the record still lists as `previous`.
    const next: OwnerRecord = { sha256: sha256(file.content), previous: current === null ? null : sha256(current) };
    await fs.writeAtomic(file.ownerRecord, `${JSON.stringify(next)}\n`);
    await fs.writeAtomic(file.path, file.content);
  }
  return { path: file.path, op: 'write', content: file.content };
}

export interface FilePolicyWriterOptions {
  /** Prefix for every path (the agent's --browser-policy-root); "/" in production. */
  readonly root?: string;
  readonly dryRun: boolean;
  readonly browsers?: readonly BrowserId[];
  /** Replaces the real file system (tests). */
  readonly fs?: PolicyFileSystem;
}

/** Which files an OS's browsers read, for the given restrictions (linuxPolicyPlan, darwinPolicyPlan). */
export type PolicyPlan = (restrictions: BrowserRestrictions, route: ProxyRoute | null, browsers?: readonly BrowserId[]) => PlannedFile[];

/** A policy writer for an OS whose browsers read policy from files. */
export function filePolicyWriter(plan: PolicyPlan, options: FilePolicyWriterOptions): PolicyWriter<WriteReport> {
  const fs = options.fs ?? nodePolicyFileSystem(options.root ?? '/');
  return (restrictions, route) => applyPolicyFiles(plan(restrictions, route, options.browsers), fs, { dryRun: options.dryRun });
}
