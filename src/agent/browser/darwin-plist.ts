// XML property lists, for macOS managed preferences. Only what browser
// policy needs: dictionaries, arrays, strings, booleans and integers.

export type PlistValue = string | number | boolean | readonly PlistValue[] | { readonly [key: string]: PlistValue };

const HEADER = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
  '<plist version="1.0">',
];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function element(value: PlistValue, indent: string): string[] {
  if (typeof value === 'string') return [`${indent}<string>${escapeXml(value)}</string>`];
  if (typeof value === 'boolean') return [`${indent}<${value ? 'true' : 'false'}/>`];
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`plist: only integers are needed for browser policy, got ${value}`);
    return [`${indent}<integer>${value}</integer>`];
  }
  const inner = `${indent}\t`;
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${indent}<array/>`];
    return [`${indent}<array>`, ...value.flatMap((item: PlistValue) => element(item, inner)), `${indent}</array>`];
  }
  const entries = Object.entries(value as { readonly [key: string]: PlistValue });
  if (entries.length === 0) return [`${indent}<dict/>`];
  return [
    `${indent}<dict>`,
    ...entries.flatMap(([key, item]) => [`${inner}<key>${escapeXml(key)}</key>`, ...element(item, inner)]),
    `${indent}</dict>`,
  ];
}

export function plistXml(root: { readonly [key: string]: PlistValue }): string {
  return [...HEADER, ...element(root, ''), '</plist>', ''].join('\n');
}
