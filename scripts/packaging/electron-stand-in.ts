import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A stand-in for an unpacked Electron (electron-builder's `electronDist`),
 * for building the Linux package where no Electron binary can be downloaded.
 * The `electron` program only says what it is; it carries an Electron fuse
 * wire (the sentinel @electron/fuses looks for, with Electron's default
 * fuses) so that electron-builder flips the fuses of electron-builder.yml in
 * it as it would in the real binary, and the tests can read them back.
 * A package built with it installs and runs the agent; its tray is not real.
 */

/** The marker @electron/fuses finds the fuse wire by (FuseVersion V1). */
export const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

/** Electron's fuses in wire order (@electron/fuses FuseV1Options), with Electron's defaults ('1' on, '0' off). */
export const FUSE_ORDER = [
  ['runAsNode', '1'],
  ['enableCookieEncryption', '0'],
  ['enableNodeOptionsEnvironmentVariable', '1'],
  ['enableNodeCliInspectArguments', '1'],
  ['enableEmbeddedAsarIntegrityValidation', '0'],
  ['onlyLoadAppFromAsar', '0'],
  ['loadBrowserProcessSpecificV8Snapshot', '0'],
  ['grantFileProtocolExtraPrivileges', '1'],
] as const;

export function writeElectronStandIn(dir: string, electronVersion: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'resources'), { recursive: true });
  mkdirSync(join(dir, 'locales'), { recursive: true });
  const wire = Buffer.concat([
    Buffer.from(FUSE_SENTINEL, 'latin1'),
    Buffer.from([1, FUSE_ORDER.length]),
    Buffer.from(FUSE_ORDER.map(([, on]) => on).join(''), 'latin1'),
  ]);
  const script = [
    '#!/bin/sh',
    '# Stand-in for Electron: this package was built without the Electron binary (see scripts/packaging/electron-stand-in.ts).',
    `echo "Lesmodus tray stand-in (Electron ${electronVersion} was not available when this package was built)" >&2`,
    'exit 0',
    '# The fuse wire @electron/fuses flips: ',
  ].join('\n');
  writeFileSync(join(dir, 'electron'), Buffer.concat([Buffer.from(script, 'utf8'), wire, Buffer.from('\n')]));
  chmodSync(join(dir, 'electron'), 0o755);
  // The deb's postinst sets this helper's mode (SUID where students have no user namespaces).
  writeFileSync(join(dir, 'chrome-sandbox'), '#!/bin/sh\nexit 1\n');
  chmodSync(join(dir, 'chrome-sandbox'), 0o755);
  writeFileSync(join(dir, 'locales', 'en-US.pak'), '');
  writeFileSync(join(dir, 'version'), electronVersion);
  writeFileSync(join(dir, 'LICENSE'), 'Stand-in for Electron (MIT, Copyright (c) Electron contributors); no Electron code is included.\n');
}

/** The fuses as they are in a binary (or stand-in): name -> on/off. */
export function readFuses(binaryPath: string): Record<string, boolean> {
  const binary = readFileSync(binaryPath);
  const at = binary.indexOf(FUSE_SENTINEL, 0, 'latin1');
  if (at < 0) throw new Error(`${binaryPath} has no Electron fuse wire`);
  const wire = at + FUSE_SENTINEL.length;
  const length = binary[wire + 1]!;
  const fuses: Record<string, boolean> = {};
  for (let i = 0; i < Math.min(length, FUSE_ORDER.length); i++) fuses[FUSE_ORDER[i]![0]] = binary[wire + 2 + i] === 0x31;
  return fuses;
}
