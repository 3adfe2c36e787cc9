// The file-shaped outcome of a policy plan (Linux JSON, macOS plist): what
// should be on disk, and how far Lesmodus may go in putting it there.

/**
 * A file whose name is Lesmodus's alone, in a directory the browser merges
 * (Chromium's managed/): written whole, removed when `policy` is null. Keys an
 * admin's file in the same directory also sets are left out, so nothing of
 * theirs is displaced (Chromium lets the last file by name win a key).
 */
export interface OwnJsonFile {
  readonly kind: 'own-json';
  readonly path: string;
  readonly policy: object | null;
}

/**
 * A file the browser reads alone, which an admin may also want (Firefox's
 * policies.json, a macOS managed-preferences plist): Lesmodus writes it only
 * when it is absent or still exactly what Lesmodus wrote, as recorded (by
 * hash) in `ownerRecord`, a file in Lesmodus's own state directory.
 */
export interface SharedFile {
  readonly kind: 'shared';
  readonly path: string;
  readonly content: string | null;
  readonly ownerRecord: string;
}

export type PlannedFile = OwnJsonFile | SharedFile;

/** Our files in a Chromium managed/ directory are named like this; nothing else there is ours. */
export const OWN_FILE_PREFIX = 'lesmodus-';
