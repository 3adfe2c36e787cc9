import { z } from 'zod';

/** Thrown when external input (a file, a request body, a message) does not fit its schema. */
export class InputError extends Error {
  readonly issues: readonly { path: string; message: string }[];

  constructor(source: string, issues: readonly { path: string; message: string }[]) {
    const lines = issues.slice(0, 10).map((i) => `  - ${i.path || '(top level)'}: ${i.message}`);
    if (issues.length > 10) lines.push(`  - … and ${issues.length - 10} more`);
    super(`${source} is not valid:\n${lines.join('\n')}`);
    this.name = 'InputError';
    this.issues = issues;
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
}

/** Parses `input` with `schema`, or throws an InputError that names every wrong field of `source`. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, source: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new InputError(source, result.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message })));
}
