import { z } from 'zod';
import type { AnyRoute } from './route.ts';

/**
 * The web pages' types, from the route table: every JSON answer and body as a
 * TypeScript type in a declaration file the pages' `// @ts-check` reads
 * (`src/server/web/assets/api-types.d.ts`). The pages are plain JavaScript
 * with no build step; these types keep them from reading a field the API
 * does not send. A test fails when the file is older than the schemas.
 */

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
};

const PRIMITIVES: Record<string, string> = { string: 'string', number: 'number', integer: 'number', boolean: 'boolean', null: 'null' };
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** A JSON Schema (as zod writes it) as a TypeScript type; what it cannot say is `unknown`. */
export function tsType(schema: JsonSchema, indent = ''): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum !== undefined) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const union = schema.anyOf ?? schema.oneOf;
  if (union !== undefined) return [...new Set(union.map((s) => tsType(s, indent)))].join(' | ');
  if (schema.allOf !== undefined) return schema.allOf.map((s) => tsType(s, indent)).join(' & ');
  if (Array.isArray(schema.type)) return schema.type.map((type) => tsType({ ...schema, type }, indent)).join(' | ');
  switch (schema.type) {
    case 'object': return objectType(schema, indent);
    case 'array':
      if (schema.prefixItems !== undefined) return `[${schema.prefixItems.map((s) => tsType(s, indent)).join(', ')}]`;
      return `Array<${schema.items === undefined ? 'unknown' : tsType(schema.items, indent)}>`;
    case undefined: return 'unknown';
    default: return PRIMITIVES[schema.type] ?? 'unknown';
  }
}

function objectType(schema: JsonSchema, indent: string): string {
  const inner = `${indent}  `;
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([name, property]) =>
    `${inner}${IDENTIFIER.test(name) ? name : JSON.stringify(name)}${required.has(name) ? '' : '?'}: ${tsType(property, inner)};`);
  const extra = schema.additionalProperties;
  if (typeof extra === 'object') fields.push(`${inner}[key: string]: ${tsType(extra, inner)};`);
  return fields.length === 0 ? 'Record<string, unknown>' : `{\n${fields.join('\n')}\n${indent}}`;
}

function typeOf(schema: z.ZodType, io: 'input' | 'output'): string {
  return tsType(z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema, '  ');
}

/** The declaration file: `ApiReply<'GET /api/v1/schools'>` is what that route answers, `ApiBody<…>` what it takes. */
export function webTypes(routes: readonly AnyRoute[]): string {
  const replies: string[] = [];
  const bodies: string[] = [];
  for (const route of [...routes].sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`))) {
    const key = JSON.stringify(`${route.method} ${route.path}`);
    if (route.reply.kind === 'json') replies.push(`  ${key}: ${typeOf(route.reply.schema, 'output')};`);
    if (route.body !== undefined) bodies.push(`  ${key}: ${typeOf(route.body, 'input')};`);
  }
  return [
    '// Generated from the API\'s route table by `npm run web-types` (src/server/api/web-types.ts): do not edit.',
    '// The pages\' `// @ts-check` reads these types; test/server/web/api-types.test.ts fails when they are stale.',
    '',
    'export interface ApiReplies {',
    ...replies,
    '}',
    '',
    'export interface ApiBodies {',
    ...bodies,
    '}',
    '',
    'export type ApiReply<K extends keyof ApiReplies> = ApiReplies[K];',
    'export type ApiBody<K extends keyof ApiBodies> = ApiBodies[K];',
    '',
  ].join('\n');
}
