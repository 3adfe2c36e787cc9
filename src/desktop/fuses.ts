import type { Configuration } from 'electron-builder';

/**
 * Electron fuses, flipped in the packaged binary at packaging time
 * (electron-builder 26 does it from `electronFuses` in electron-builder.yml,
 * with @electron/fuses; test/desktop/fuses.test.ts keeps that block equal to
 * this one). Each closes a way for a student to run their own code as the
 * tray: as plain Node, through NODE_OPTIONS, through a debugger, or from an
 * app folder or archive next to the signed one.
 */
export const TRAY_FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  onlyLoadAppFromAsar: true,
  enableEmbeddedAsarIntegrityValidation: true,
  enableCookieEncryption: true,
  loadBrowserProcessSpecificV8Snapshot: false,
  grantFileProtocolExtraPrivileges: false,
} as const satisfies NonNullable<Configuration['electronFuses']>;
