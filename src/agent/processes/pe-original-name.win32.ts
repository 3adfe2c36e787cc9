import { closeSync, openSync, readSync } from 'node:fs';

// The OriginalFilename of a Windows executable, from the version resource in
// its PE file. The name is compiled into the exe, so a student who renames
// obs64.exe to notepad.exe still runs a file that says "obs". Reading it
// takes a few small positional reads (headers, the resource directory, the
// version block), once per exe path: the caller caches.
//
// Layout (Microsoft PE format; VS_VERSIONINFO in the Win32 resource docs):
// DOS header → "PE\0\0" → COFF header → optional header with the resource
// data directory → section table (to turn RVAs into file offsets) →
// resource tree type RT_VERSION / name / language → VS_VERSIONINFO →
// StringFileInfo → StringTable → String "OriginalFilename".

/** Reads up to `length` bytes at `offset` (fewer at the end of the file). */
export type ByteReader = (offset: number, length: number) => Buffer;

const RT_VERSION = 16;
const RESOURCE_DIRECTORY_INDEX = 2;
const PE32_MAGIC = 0x10b;
const PE32_PLUS_MAGIC = 0x20b;
const SECTION_HEADER_SIZE = 40;
/** Far more than any real section table or version block; bounds what a crafted file can make us read. */
const MAX_SECTIONS = 96;
const MAX_VERSION_BLOCK_BYTES = 64 * 1024;
const MAX_RESOURCE_ENTRIES = 4_096;

class NotPe extends Error {}

export function readOriginalName(read: ByteReader): string | undefined {
  try {
    return originalName(read);
  } catch (error) {
    if (error instanceof NotPe || error instanceof RangeError) return undefined;
    throw error;
  }
}

/** The OriginalFilename of the exe at `path`; undefined when it has none or cannot be read. */
export function readOriginalNameOfFile(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const file = fd;
    return readOriginalName((offset, length) => {
      const buffer = Buffer.alloc(length);
      return buffer.subarray(0, readSync(file, buffer, 0, length, offset));
    });
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function exactly(read: ByteReader, offset: number, length: number): Buffer {
  const bytes = read(offset, length);
  if (bytes.length < length) throw new NotPe('file ends early');
  return bytes;
}

interface Section {
  readonly virtualAddress: number;
  readonly virtualSize: number;
  readonly rawOffset: number;
  readonly rawSize: number;
}

function originalName(read: ByteReader): string | undefined {
  const dos = exactly(read, 0, 64);
  if (dos.toString('latin1', 0, 2) !== 'MZ') throw new NotPe('no MZ header');
  const peOffset = dos.readUInt32LE(0x3c);
  const coff = exactly(read, peOffset, 24);
  if (coff.toString('latin1', 0, 4) !== 'PE\0\0') throw new NotPe('no PE signature');
  const sectionCount = Math.min(coff.readUInt16LE(6), MAX_SECTIONS);
  const optionalSize = coff.readUInt16LE(20);
  const optional = exactly(read, peOffset + 24, optionalSize);
  const magic = optional.readUInt16LE(0);
  if (magic !== PE32_MAGIC && magic !== PE32_PLUS_MAGIC) throw new NotPe('unknown optional header');
  const directoryCountAt = magic === PE32_MAGIC ? 92 : 108;
  if (optional.readUInt32LE(directoryCountAt) <= RESOURCE_DIRECTORY_INDEX) return undefined;
  const resourceRva = optional.readUInt32LE(directoryCountAt + 4 + RESOURCE_DIRECTORY_INDEX * 8);
  if (resourceRva === 0) return undefined;

  const table = exactly(read, peOffset + 24 + optionalSize, sectionCount * SECTION_HEADER_SIZE);
  const sections: Section[] = [];
  for (let i = 0; i < sectionCount; i++) {
    const at = i * SECTION_HEADER_SIZE;
    sections.push({
      virtualSize: table.readUInt32LE(at + 8),
      virtualAddress: table.readUInt32LE(at + 12),
      rawSize: table.readUInt32LE(at + 16),
      rawOffset: table.readUInt32LE(at + 20),
    });
  }
  const fileOffset = (rva: number): number => {
    const section = sections.find((s) => rva >= s.virtualAddress && rva < s.virtualAddress + Math.max(s.virtualSize, s.rawSize));
    if (!section) throw new NotPe(`RVA ${rva} is in no section`);
    return rva - section.virtualAddress + section.rawOffset;
  };

  const resourceBase = fileOffset(resourceRva);
  // Resource tree: type, then name, then language. Take RT_VERSION, then the first of each level.
  const names = directoryEntry(read, resourceBase, 0, RT_VERSION);
  if (names === undefined || !names.isDirectory) return undefined;
  const languages = directoryEntry(read, resourceBase, names.offset, undefined);
  if (languages === undefined || !languages.isDirectory) return undefined;
  const leaf = directoryEntry(read, resourceBase, languages.offset, undefined);
  if (leaf === undefined || leaf.isDirectory) return undefined;
  const data = exactly(read, resourceBase + leaf.offset, 8);
  const size = Math.min(data.readUInt32LE(4), MAX_VERSION_BLOCK_BYTES);
  return originalNameInVersionInfo(exactly(read, fileOffset(data.readUInt32LE(0)), size));
}

/** The entry with id `id` (or the first entry) of the resource directory at `base + offset`. */
function directoryEntry(read: ByteReader, base: number, offset: number, id: number | undefined): { isDirectory: boolean; offset: number } | undefined {
  const header = exactly(read, base + offset, 16);
  const count = Math.min(header.readUInt16LE(12) + header.readUInt16LE(14), MAX_RESOURCE_ENTRIES);
  if (count === 0) return undefined;
  const entries = exactly(read, base + offset + 16, count * 8);
  for (let i = 0; i < count; i++) {
    const name = entries.readUInt32LE(i * 8);
    const target = entries.readUInt32LE(i * 8 + 4);
    // Named entries (high bit set) come first; a numeric id has the high bit clear.
    if (id !== undefined && name !== id) continue;
    return { isDirectory: (target & 0x8000_0000) !== 0, offset: target & 0x7fff_ffff };
  }
  return undefined;
}

/** One node of the version block: every level has the same header (wLength, wValueLength, wType, szKey). */
interface VersionNode {
  readonly key: string;
  readonly end: number;
  readonly type: number;
  readonly valueStart: number;
  readonly valueLength: number;
  readonly childrenStart: number;
}

const align4 = (n: number) => (n + 3) & ~3;

function readNode(block: Buffer, at: number): VersionNode {
  const length = block.readUInt16LE(at);
  const valueLength = block.readUInt16LE(at + 2);
  const type = block.readUInt16LE(at + 4);
  const end = Math.min(at + length, block.length);
  if (length < 6 || end <= at) throw new NotPe('empty version node');
  const keyStart = at + 6;
  let keyEnd = keyStart;
  while (keyEnd + 1 < end && block.readUInt16LE(keyEnd) !== 0) keyEnd += 2;
  const valueStart = align4(keyEnd + 2);
  // Text values count UTF-16 units, binary ones bytes.
  const valueBytes = type === 1 ? valueLength * 2 : valueLength;
  return { key: block.toString('utf16le', keyStart, keyEnd), end, type, valueStart, valueLength: valueBytes, childrenStart: align4(valueStart + valueBytes) };
}

function* children(block: Buffer, node: VersionNode): Generator<VersionNode> {
  let at = node.childrenStart;
  while (at + 6 <= node.end) {
    const child = readNode(block, at);
    yield child;
    at = align4(child.end);
  }
}

/** OriginalFilename from a VS_VERSIONINFO block, from the first string table that has one. */
export function originalNameInVersionInfo(block: Buffer): string | undefined {
  const root = readNode(block, 0);
  if (root.key !== 'VS_VERSION_INFO') throw new NotPe('not a version block');
  for (const info of children(block, root)) {
    if (info.key !== 'StringFileInfo') continue;
    for (const table of children(block, info)) {
      for (const entry of children(block, table)) {
        if (entry.key !== 'OriginalFilename') continue;
        const text = block.toString('utf16le', entry.valueStart, Math.min(entry.valueStart + entry.valueLength, entry.end));
        const name = text.split('\0')[0]?.trim();
        if (name) return name;
      }
    }
  }
  return undefined;
}
