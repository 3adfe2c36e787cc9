import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../../src/server/api/routes/index.ts';
import { tsType, webTypes } from '../../../src/server/api/web-types.ts';

/** The pages' API types (api-types.d.ts) come from the route table; a page cannot read a field the server does not send. */

const typeOf = (schema: z.ZodType, io: 'input' | 'output' = 'output') => tsType(z.toJSONSchema(schema, { io }) as Parameters<typeof tsType>[0]);

describe("the web pages' API types", () => {
  it('are the route table as it is now (after a schema change, run npm run web-types)', () => {
    const file = readFileSync(new URL('../../../src/server/web/assets/api-types.d.ts', import.meta.url), 'utf8');
    expect(file).toBe(webTypes(API_ROUTES));
  });

  it('name every JSON answer and every body by its route', () => {
    const text = webTypes(API_ROUTES);
    for (const route of API_ROUTES) {
      if (route.reply.kind === 'json') expect(text).toContain(`"${route.method} ${route.path}": `);
    }
    expect(text).toMatch(/export interface ApiBodies \{\n(.|\n)*"POST \/api\/v1\/grants": \{/);
  });

  it('say what zod says: optional and nullable fields, enums, unions, arrays, records', () => {
    expect(typeOf(z.object({ a: z.string(), b: z.number().int().optional(), c: z.string().nullable() }))).toBe('{\n  a: string;\n  b?: number;\n  c: string | null;\n}');
    expect(typeOf(z.enum(['nl', 'en']))).toBe('"nl" | "en"');
    expect(typeOf(z.array(z.literal('x')))).toBe('Array<"x">');
    expect(typeOf(z.union([z.object({ kind: z.literal('a') }), z.object({ kind: z.literal('b'), n: z.boolean() })])))
      .toBe('{\n  kind: "a";\n} | {\n  kind: "b";\n  n: boolean;\n}');
    expect(typeOf(z.record(z.string(), z.number()))).toBe('{\n  [key: string]: number;\n}');
    // A body's defaulted field is optional to the page that sends it, present in what the server answers.
    expect(typeOf(z.object({ lang: z.enum(['nl', 'en']).default('nl') }), 'input')).toBe('{\n  lang?: "nl" | "en";\n}');
    expect(typeOf(z.object({ lang: z.enum(['nl', 'en']).default('nl') }), 'output')).toBe('{\n  lang: "nl" | "en";\n}');
  });
});
