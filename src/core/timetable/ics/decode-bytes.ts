// RFC 5545 folds at 75 octets, so a producer may put a fold between the bytes
// of one UTF-8 character. Decoding such bytes first would turn both halves into
// U+FFFD; removing the folds at byte level first joins them exactly.

const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;

/** Removes every line break that is followed by a space or tab (a fold), together with that one whitespace byte. */
function unfoldBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === CR || b === LF) {
      const breakLength = b === CR && bytes[i + 1] === LF ? 2 : 1;
      const next = bytes[i + breakLength];
      if (next === SPACE || next === TAB) {
        i += breakLength; // skip the break; the loop's i++ skips the whitespace
        continue;
      }
    }
    out[n++] = b;
  }
  return out.subarray(0, n);
}

/** Bytes of an .ics file as text: folds removed at byte level, UTF-8 (the only charset RFC 5545 allows), BOM dropped. */
export function decodeIcsBytes(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { ignoreBOM: false }).decode(unfoldBytes(bytes));
}
