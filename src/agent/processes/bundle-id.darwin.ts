import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// The bundle id of a macOS process, from the bundle its executable sits in.
// A renamed copy of an app keeps the Info.plist inside it, so the bundle id
// catches what the executable's name would not. A richer source would ask
// the system (NSRunningApplication.bundleIdentifier, or proc_pidpath plus
// LaunchServices) through a native helper; this one needs only the path.

/** Reads CFBundleIdentifier of the bundle at `bundlePath` (".../OBS.app"); undefined when it has none or cannot be read. */
export type BundleIdReader = (bundlePath: string) => string | undefined;

/**
 * The bundle an executable belongs to: the innermost ".app" (or ".xpc",
 * ".appex") whose Contents/MacOS holds it. Discord's renderer helper
 * ".../Discord.app/Contents/Frameworks/Discord Helper (Renderer).app/Contents/MacOS/Discord Helper (Renderer)"
 * belongs to the helper bundle, whose id (com.hnc.Discord.helper.Renderer)
 * the catalog traces back to com.hnc.Discord.
 */
export function bundlePathOf(exePath: string): string | undefined {
  return /^(\/.*\.(?:app|xpc|appex))\/Contents\/MacOS\/[^/]+$/i.exec(exePath)?.[1];
}

/** CFBundleIdentifier from the text of an XML property list. */
export function bundleIdFromXmlPlist(xml: string): string | undefined {
  const id = /<key>CFBundleIdentifier<\/key>\s*<string>([^<]+)<\/string>/.exec(xml)?.[1]?.trim();
  return id ? id : undefined;
}

/** Third-party apps mostly ship XML plists; Apple's own (Photo Booth, Voice Memos) binary ones. */
const BINARY_PLIST_MAGIC = 'bplist';

/** How long `defaults read` may take for one bundle: it runs once per bundle (cached), never per scan. */
const DEFAULTS_READ_TIMEOUT_MS = 2_000;

/**
 * Reads Contents/Info.plist: XML directly; a binary plist through
 * `/usr/bin/defaults read`, which every macOS version has.
 */
export const readBundleIdFromInfoPlist: BundleIdReader = (bundlePath) => {
  const plist = `${bundlePath}/Contents/Info.plist`;
  let text: string;
  try {
    text = readFileSync(plist, 'latin1');
  } catch {
    return undefined;
  }
  if (!text.startsWith(BINARY_PLIST_MAGIC)) return bundleIdFromXmlPlist(text);
  try {
    const id = execFileSync('/usr/bin/defaults', ['read', plist.slice(0, -'.plist'.length), 'CFBundleIdentifier'], {
      encoding: 'utf8',
      timeout: DEFAULTS_READ_TIMEOUT_MS,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return id || undefined;
  } catch {
    return undefined;
  }
};
