import { readFileSync } from 'node:fs';

/** The Lesmodus version from package.json: /healthz, the OpenAPI document, the agent's enrollment report. */
export function lesmodusVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
