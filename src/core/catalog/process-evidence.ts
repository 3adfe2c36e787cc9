import type { Os } from '../categories.ts';
import { exePathName, flatpakRunAppId, interpretedScriptNames, loaderProgram, snapNamesOf } from './linux-cmdline.ts';
import type { Found, LookupTables } from './lookup-tables.ts';
import { baseName, LINUX_COMM_LENGTH, idKey, unixNameKey, windowsNameKey } from './names.ts';

/** What an agent knows about a running process. Only `name` is required; every other fact sharpens the verdict. */
export interface ProcessFacts {
  /** win32: image name ("obs64.exe"); darwin: executable name; linux: comm (cut to 15 characters by the kernel). */
  readonly name: string;
  /** argv as read from the OS (Linux: /proc/PID/cmdline). */
  readonly cmdline?: readonly string[];
  /** Full path of the executable (Linux: /proc/PID/exe, which for scripts is the interpreter). */
  readonly exePath?: string;
  /** win32: PE version-info OriginalFilename, kept by a renamed copy. */
  readonly originalName?: string;
  /** win32: Store package family name of the process's package identity. */
  readonly packageFamily?: string;
  /** darwin: CFBundleIdentifier of the app the process belongs to. */
  readonly bundleId?: string;
  /** linux: flatpak app id (from /proc/PID/cgroup "app-flatpak-<id>-…" or /.flatpak-info). */
  readonly flatpakAppId?: string;
  /** linux: snap name (from the cgroup "snap.<name>.…"); also derived from /snap/ paths. */
  readonly snapName?: string;
  /**
   * The SHA-256 of the file the process runs (its executable, the program the
   * loader runs, or the script an interpreter runs), when the agent hashed it:
   * matched against the catalog's known contents.
   */
  readonly contentSha256?: string;
  /**
   * The path of an installed program whose content is byte for byte that of
   * the file the process runs (the agent compared them): a renamed copy of
   * /usr/share/discord/Discord is Discord, by the installed file's name.
   */
  readonly sameContentAs?: string;
}

/** Which fact a verdict rests on. */
export type Evidence =
  | 'store-package'
  | 'original-name'
  | 'bundle-id'
  | 'flatpak'
  | 'snap'
  | 'exe-path'
  | 'process-name'
  | 'truncated-name'
  | 'script'
  | 'content'
  | 'domain';

export interface Hit {
  readonly found: Found;
  readonly evidence: Evidence;
  /** The fact as given. */
  readonly input: string;
}

/**
 * Facts that survive renaming the file: the PE original name, the bundle id,
 * the sandbox a flatpak or snap runs in, the file's content. They outrank a
 * never-block file name, so a copy of OBS renamed to chrome.exe is still OBS.
 */
export const IDENTITY_EVIDENCE: ReadonlySet<Evidence> = new Set(['original-name', 'bundle-id', 'flatpak', 'snap', 'content']);

/** All catalog hits for `facts` on `os`, strongest evidence first. */
export function processHits(tables: LookupTables, os: Os, facts: ProcessFacts): Hit[] {
  switch (os) {
    case 'win32': return win32Hits(tables, facts);
    case 'darwin': return darwinHits(tables, facts);
    case 'linux': return linuxHits(tables, facts);
  }
}

function lookup(hits: Hit[], map: Map<string, Found>, key: string, evidence: Evidence, input: string): void {
  if (key.length === 0) return;
  const found = map.get(key);
  if (found) hits.push({ found, evidence, input });
}

/** What the file's content says: a catalog hash, or the name of the installed program it is a copy of. */
function contentHits(hits: Hit[], t: LookupTables, facts: ProcessFacts, names: Map<string, Found>, keyOf: (name: string) => string): void {
  if (facts.contentSha256) lookup(hits, t.contents, facts.contentSha256.toLowerCase(), 'content', facts.contentSha256);
  if (facts.sameContentAs) lookup(hits, names, keyOf(exePathName(facts.sameContentAs)), 'content', facts.sameContentAs);
}

function win32Hits(t: LookupTables, facts: ProcessFacts): Hit[] {
  const hits: Hit[] = [];
  contentHits(hits, t, facts, t.win32Names, windowsNameKey);
  if (facts.originalName) lookup(hits, t.win32Names, windowsNameKey(facts.originalName), 'original-name', facts.originalName);
  if (facts.packageFamily) lookup(hits, t.win32Packages, idKey(facts.packageFamily), 'store-package', facts.packageFamily);
  if (facts.exePath) lookup(hits, t.win32Names, windowsNameKey(facts.exePath), 'exe-path', facts.exePath);
  lookup(hits, t.win32Names, windowsNameKey(facts.name), 'process-name', facts.name);
  return hits;
}

function darwinHits(t: LookupTables, facts: ProcessFacts): Hit[] {
  const hits: Hit[] = [];
  contentHits(hits, t, facts, t.darwinExes, unixNameKey);
  if (facts.bundleId) {
    // An app's helpers and extensions carry sub-ids (com.hnc.Discord.helper,
    // com.google.Chrome.app.<id> for web app shims): try the id, then its parents.
    const parts = idKey(facts.bundleId).split('.');
    for (let end = parts.length; end >= 2; end--) {
      const before = hits.length;
      lookup(hits, t.darwinBundles, parts.slice(0, end).join('.'), 'bundle-id', facts.bundleId);
      if (hits.length > before) break;
    }
  }
  if (facts.exePath) lookup(hits, t.darwinExes, unixNameKey(facts.exePath), 'exe-path', facts.exePath);
  lookup(hits, t.darwinExes, unixNameKey(facts.name), 'process-name', facts.name);
  return hits;
}

function linuxHits(t: LookupTables, facts: ProcessFacts): Hit[] {
  const hits: Hit[] = [];
  contentHits(hits, t, facts, t.linuxNames, unixNameKey);
  const argv0 = facts.cmdline?.[0];
  const flatpak = facts.flatpakAppId ?? (facts.cmdline ? flatpakRunAppId(facts.cmdline) : undefined);
  if (flatpak) lookup(hits, t.linuxFlatpaks, idKey(flatpak), 'flatpak', flatpak);
  const snaps = facts.snapName ? [facts.snapName] : snapNamesOf(facts.exePath, argv0);
  for (const snap of snaps) lookup(hits, t.linuxSnaps, idKey(snap), 'snap', snap);
  if (facts.exePath) lookup(hits, t.linuxNames, unixNameKey(exePathName(facts.exePath)), 'exe-path', facts.exePath);
  // Started through the dynamic loader, the program is its argument: that is the file that runs.
  const loaded = loaderProgram(facts.exePath, facts.cmdline);
  if (loaded !== undefined) lookup(hits, t.linuxNames, unixNameKey(baseName(loaded)), 'exe-path', loaded);
  for (const script of facts.cmdline ? interpretedScriptNames(facts.cmdline) : []) {
    lookup(hits, t.linuxScripts, unixNameKey(script), 'script', script);
  }
  const name = unixNameKey(facts.name);
  if (name.length === LINUX_COMM_LENGTH) {
    // A 15-character comm may be any longer name cut short: take every catalog
    // name that starts with it (never-block wins among them, see match.ts).
    // Only a sole candidate of exactly 15 characters is a plain name match.
    const candidates = t.linuxCommPrefixes.get(name) ?? [];
    for (const found of candidates) {
      const exact = candidates.length === 1 && found.matched.length === LINUX_COMM_LENGTH;
      hits.push({ found, evidence: exact ? 'process-name' : 'truncated-name', input: facts.name });
    }
  } else {
    lookup(hits, t.linuxNames, name, 'process-name', facts.name);
  }
  return hits;
}
