import { execFileSync } from 'node:child_process';

/**
 * Runs a Python script on `file` and returns what it prints as JSON: a real
 * parser for formats Node has none for (plistlib for property lists,
 * ElementTree for XML), which refuse what is not well-formed.
 */
export function python(script: string, file: string): unknown {
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' }));
}
