// How process names, bundle ids and package ids are compared. The schema uses
// these to find clashes between entries and the index uses the same functions
// to build its lookup keys, so "the same name" means the same thing in both.

/**
 * Linux keeps only the first 15 bytes of a process name in /proc/PID/comm
 * (TASK_COMM_LEN is 16, including the terminating NUL).
 */
export const LINUX_COMM_LENGTH = 15;

/** The last path component, for both `/` and `\` separated paths. */
export function baseName(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut === -1 ? path : path.slice(cut + 1);
}

/**
 * Windows image names: case-insensitive (NTFS is), and `.exe` is optional,
 * because tools disagree on whether they report it (Task Manager does, the PE
 * OriginalFilename of OBS is plain "obs").
 */
export function windowsNameKey(name: string): string {
  const lower = baseName(name.trim()).toLowerCase();
  return lower.endsWith('.exe') ? lower.slice(0, -4) : lower;
}

/**
 * macOS and Linux names compare case-insensitively. On macOS the default file
 * system (APFS) is case-insensitive. On Linux names are case-sensitive, but the
 * same app ships under both spellings (Discord's tarball has `Discord`, distro
 * packages `discord`; Telegram's `Telegram` vs `telegram-desktop`), and no real
 * app differs from a blocked one only by case.
 */
export function unixNameKey(name: string): string {
  return baseName(name.trim()).toLowerCase();
}

/** Bundle ids, Store package families, flatpak ids and snap names: case-insensitive. */
export function idKey(id: string): string {
  return id.trim().toLowerCase();
}

/** The key a (possibly truncated) Linux comm name is looked up under. */
export function commPrefixKey(name: string): string {
  return unixNameKey(name).slice(0, LINUX_COMM_LENGTH);
}
