import { z } from 'zod';
import { CategorySchema } from '../categories.ts';
import { checkCatalogConsistency } from './consistency.ts';
import { catalogDomainProblem } from './hostnames.ts';

/**
 * The catalog file (resources/catalog/catalog.json): which apps and sites make
 * up each service, and which must never be blocked. Field rules live here;
 * rules across entries (unique ids, no overlaps) in consistency.ts. See
 * resources/catalog/README.md for the format in prose.
 */

const nonBlank = (what: string) => z.string().trim().min(1, `${what} must not be empty`);

/** A file name as a process reports it: no folders. */
const fileName = (what: string) =>
  nonBlank(what).refine((s) => !/[/\\\0]/.test(s), { message: `${what} is a file name, without folders` });

const Domain = z.string().superRefine((value, ctx) => {
  const problem = catalogDomainProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const WindowsExe = fileName('an exe name').refine((s) => s.toLowerCase().endsWith('.exe'), {
  message: 'write the image name with its extension, e.g. "obs64.exe"',
});

/** "<Name>_<13-character publisher id>", e.g. Microsoft.WindowsCamera_8wekyb3d8bbwe. */
const PackageFamily = z.string().regex(/^[A-Za-z0-9.-]{3,50}_[a-z0-9]{13}$/, {
  message: 'a Store package family name looks like "Microsoft.WindowsCamera_8wekyb3d8bbwe"',
});

const BundleId = z.string().regex(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, {
  message: 'a bundle id is reverse-DNS, like "com.obsproject.obs-studio"',
});

const FlatpakId = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*){2,}$/, {
  message: 'a flatpak app id has at least three parts, like "com.obsproject.Studio"',
});

const SnapName = z.string().regex(/^[a-z0-9](-?[a-z0-9])*$/, {
  message: 'a snap name is lowercase letters, digits and single dashes, like "obs-studio"',
});

/**
 * A program's content: its SHA-256 and size. A renamed copy keeps both, so
 * it is recognised whatever it is called; the size lets the agent skip
 * hashing every file that cannot match. Any change to the file (one byte
 * appended) makes another program as far as this goes: see the README's
 * threat model.
 */
export const ContentSchema = z.strictObject({
  sha256: z.string().regex(/^[0-9a-f]{64}$/, { message: 'a sha256 is 64 lowercase hex digits, as `sha256sum` prints it' }),
  bytes: z.number().int().positive('bytes is the file size in bytes, as `stat -c %s` prints it'),
});
export type Content = z.infer<typeof ContentSchema>;

const contents = z.array(ContentSchema).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((value, index) => {
    if (seen.has(value.sha256)) ctx.addIssue({ code: 'custom', path: [index, 'sha256'], message: `content ${value.sha256} is listed twice` });
    seen.add(value.sha256);
  });
}).default([]);

const unique = <T extends z.ZodType<string>>(item: T, what: string) =>
  z.array(item).superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((value, index) => {
      const key = value.toLowerCase();
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [index], message: `${what} "${value}" is listed twice` });
      seen.add(key);
    });
  });

export const Win32MatchSchema = z.strictObject({
  /** Image names as Task Manager shows them, e.g. "obs64.exe". */
  exe: unique(WindowsExe, 'exe').default([]),
  /**
   * PE version-info OriginalFilename values that differ from `exe` (OBS says
   * "obs"). A renamed copy keeps this name, so it is trusted more than the
   * file name. Every `exe` is also tried as an original name.
   */
  originalNames: unique(fileName('an original file name'), 'original name').default([]),
  /** Microsoft Store package family names: the one identity a Store app cannot shed. */
  storePackageFamilies: unique(PackageFamily, 'package family').default([]),
  /** Known executables by content (see ContentSchema). */
  contents,
});

export const DarwinMatchSchema = z.strictObject({
  /** CFBundleIdentifier; also matches the app's own sub-bundles (com.hnc.Discord.helper). */
  bundleIds: unique(BundleId, 'bundle id').default([]),
  /** The executable in Contents/MacOS, for processes that report no bundle id. */
  exe: unique(fileName('an executable name'), 'executable').default([]),
  contents,
});

export const LinuxMatchSchema = z.strictObject({
  /** Executable file names (matched against comm, also when cut to 15 characters, and the exe path). */
  binaries: unique(fileName('a binary name'), 'binary').default([]),
  /**
   * Script file names run by an interpreter (python3, gjs, perl…): matched
   * against the script argument of the interpreter's command line, and
   * against comm, which the kernel sets to the script's name for #! scripts.
   */
  scripts: unique(fileName('a script name'), 'script').default([]),
  /** Flatpak app ids, e.g. "com.obsproject.Studio". */
  flatpak: unique(FlatpakId, 'flatpak id').default([]),
  /** Snap names, e.g. "obs-studio" (as in /snap/<name>/). */
  snap: unique(SnapName, 'snap').default([]),
  /** Known executables and scripts by content (see ContentSchema). */
  contents,
});

export const MatchSchema = z.strictObject({
  win32: Win32MatchSchema.optional(),
  darwin: DarwinMatchSchema.optional(),
  linux: LinuxMatchSchema.optional(),
});
export type Match = z.infer<typeof MatchSchema>;

const EntryId = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, {
  message: 'an id is kebab-case: lowercase letters and digits joined by single dashes, e.g. "windows-camera"',
}).max(64, 'an id has at most 64 characters');

const Domains = unique(Domain, 'domain').default([]);

/** How many process matchers an entry has, over all operating systems. */
export function matcherCount(match: Match): number {
  const lists = [
    match.win32?.exe, match.win32?.originalNames, match.win32?.storePackageFamilies,
    match.darwin?.bundleIds, match.darwin?.exe,
    match.linux?.binaries, match.linux?.scripts, match.linux?.flatpak, match.linux?.snap,
    match.win32?.contents, match.darwin?.contents, match.linux?.contents,
  ];
  return lists.reduce((sum, list) => sum + (list?.length ?? 0), 0);
}

const needsSomething = (entry: { match: Match; domains: string[] }) => matcherCount(entry.match) + entry.domains.length > 0;

export const ServiceSchema = z.strictObject({
  id: EntryId,
  name: nonBlank('name'),
  category: CategorySchema,
  /**
   * Not blocked by the SVOK code; a school opts in by blocking the category in
   * its own policy. Informational: the policy decides what is blocked.
   */
  optIn: z.boolean().default(false),
  match: MatchSchema.default({}),
  /**
   * Registrable domains and the CDN/API hosts the service needs (each covers
   * its subdomains). A domain may be shared by services of one category
   * (fbcdn.net: Facebook, Instagram, Threads).
   */
  domains: Domains,
  /** Why an entry is (or is not) the way it is: sources, caveats. */
  notes: z.string().optional(),
}).refine(needsSomething, { message: 'a service needs at least one process matcher or domain', path: ['match'] });
export type Service = z.infer<typeof ServiceSchema>;

export const NeverBlockEntrySchema = z.strictObject({
  id: EntryId,
  name: nonBlank('name'),
  /** Shown to whoever wonders why it stays allowed. */
  reason: nonBlank('reason'),
  match: MatchSchema.default({}),
  domains: Domains,
  notes: z.string().optional(),
}).refine(needsSomething, { message: 'a never-block entry needs at least one process matcher or domain', path: ['match'] });
export type NeverBlockEntry = z.infer<typeof NeverBlockEntrySchema>;

export const CatalogSchema = z.strictObject({
  version: nonBlank('version'),
  services: z.array(ServiceSchema),
  neverBlock: z.array(NeverBlockEntrySchema).default([]),
}).superRefine(checkCatalogConsistency);
export type Catalog = z.infer<typeof CatalogSchema>;
