import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readOriginalName, readOriginalNameOfFile } from '../../../src/agent/processes/pe-original-name.win32.ts';

// Real Windows executables that ship in node_modules with electron-builder's
// Squirrel.Windows support. Squirrel.exe is itself a renamed file: its
// version resource says OriginalFilename "Update.exe", the case this reader
// exists for.
const VENDOR = fileURLToPath(new URL('../../../node_modules/electron-winstaller/vendor/', import.meta.url));
const SQUIRREL = `${VENDOR}Squirrel.exe`;
const SEVEN_ZIP = `${VENDOR}7z-x64.exe`;
const haveVendorExes = existsSync(SQUIRREL) && existsSync(SEVEN_ZIP);

const reader = (bytes: Buffer) => (offset: number, length: number) => bytes.subarray(offset, offset + length);

describe('the PE original name', () => {
  it.skipIf(!haveVendorExes)('reads OriginalFilename from a renamed exe', () => {
    expect(readOriginalNameOfFile(SQUIRREL)).toBe('Update.exe');
    expect(readOriginalNameOfFile(SEVEN_ZIP)).toBe('7z.exe');
  });

  it.skipIf(!haveVendorExes)('gives the name or undefined, never an exception, for a file cut short anywhere', () => {
    const bytes = readFileSync(SQUIRREL);
    const versionBlock = bytes.indexOf(Buffer.from('VS_VERSION_INFO', 'utf16le'));
    for (let cut = 0; cut < bytes.length; cut += 997) {
      const name = readOriginalName(reader(bytes.subarray(0, cut)));
      if (cut < versionBlock) expect(name).toBeUndefined();
      else expect([undefined, 'Update.exe']).toContain(name);
    }
  });

  it.skipIf(!haveVendorExes)('survives garbage inside the resource section', () => {
    const bytes = Buffer.from(readFileSync(SQUIRREL));
    // scribble over the middle of the file, where sections live; the reader may find nothing but must not throw
    for (let at = bytes.length - 4_096; at < bytes.length - 2_048; at += 7) bytes[at] = 0xff;
    expect(() => readOriginalName(reader(bytes))).not.toThrow();
  });

  it('gives undefined for files that are not PE', () => {
    expect(readOriginalName(reader(Buffer.from('#!/bin/sh\necho hi\n')))).toBeUndefined();
    expect(readOriginalName(reader(Buffer.alloc(4096)))).toBeUndefined();
    const mzOnly = Buffer.alloc(256);
    mzOnly.write('MZ', 0, 'latin1');
    mzOnly.writeUInt32LE(128, 0x3c);
    expect(readOriginalName(reader(mzOnly))).toBeUndefined();
    expect(readOriginalNameOfFile('/nonexistent/obs64.exe')).toBeUndefined();
    expect(readOriginalNameOfFile('/bin/sleep')).toBeUndefined();
  });
});
