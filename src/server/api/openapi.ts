import { z } from 'zod';
import { CSRF_HEADER, SESSION_COOKIE } from '../auth/sessions.ts';
import { HTTP_ERROR_CODES } from '../http/http-error.ts';
import type { AnyRoute } from './route.ts';

/**
 * The OpenAPI 3.1 document, generated from the route table itself: the same
 * zod schemas that validate requests and answers become its JSON Schemas
 * (OpenAPI 3.1 uses JSON Schema 2020-12, zod's default target), so the
 * document cannot disagree with the server.
 */

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const ErrorSchema = z.object({
  error: z.enum(HTTP_ERROR_CODES),
  message: z.string(),
  requestId: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (schema === undefined) return [];
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (object.required ?? []).includes(name),
    schema: property,
  }));
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

function responsesOf(route: AnyRoute): Record<string, unknown> {
  const { reply } = route;
  const responses: Record<string, unknown> = {};
  if (reply.kind === 'json') responses[String(reply.status)] = { description: reply.description, content: { 'application/json': { schema: jsonSchema(reply.schema, 'output') } } };
  else if (reply.kind === 'empty') responses['204'] = { description: reply.description };
  else responses['200'] = { description: reply.description, content: Object.fromEntries(reply.contentTypes.map((t) => [t, {}])) };
  for (const [status, description] of Object.entries(route.otherReplies ?? {})) {
    const json = reply.kind === 'json' && status.startsWith('2');
    responses[status] = json ? { description, content: { 'application/json': { schema: jsonSchema(reply.schema, 'output') } } } : errorResponse(description);
  }
  if (route.params || route.query || route.body) responses['400'] = errorResponse('A parameter, the query or the body is not valid; `issues` names each field.');
  if (route.access.kind !== 'public') responses['401'] = errorResponse('Not logged in, or no valid device credential.');
  if (route.access.kind === 'user') responses['403'] = errorResponse('Wrong role, or a state-changing request without the CSRF token.');
  if (route.params) responses['404'] = errorResponse('Not found (or not visible to this user).');
  if (route.body) {
    responses['413'] = errorResponse('The body is larger than this route accepts.');
    responses['415'] = errorResponse('The body is not application/json.');
  }
  responses['500'] = errorResponse('Server error; the answer carries only a request id.');
  return responses;
}

function securityOf(route: AnyRoute): unknown[] {
  switch (route.access.kind) {
    case 'public': return [];
    case 'device': return [{ device: [] }];
    case 'user': return route.method === 'GET' ? [{ session: [] }] : [{ session: [], csrf: [] }];
  }
}

function operationOf(route: AnyRoute): Record<string, unknown> {
  const roles = route.access.kind === 'user' ? route.access.roles : [];
  const who = route.access.kind === 'user' ? `Roles: ${roles.join(', ')}.` : route.access.kind === 'device' ? 'Devices (bearer credential).' : 'Public.';
  return {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/^\/api\/v1/, '').replace(/[/:]+([a-z])/gi, (_m, c: string) => c.toUpperCase()).replace(/\W/g, '')}`,
    tags: [route.tag],
    summary: route.summary,
    description: [route.description, who].filter(Boolean).join('\n\n'),
    'x-access': route.access.kind,
    ...(roles.length > 0 ? { 'x-roles': roles } : {}),
    security: securityOf(route),
    parameters: [
      ...parametersOf(route.params, 'path'),
      ...parametersOf(route.query, 'query'),
      ...(route.requestHeaders ?? []).map((h) => ({ name: h.name, in: 'header', required: false, description: h.description, schema: jsonSchema(h.schema, 'input') })),
    ],
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } } : {}),
    responses: responsesOf(route),
  };
}

export function openApiDocument(routes: readonly AnyRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    (paths[path] ??= {})[route.method.toLowerCase()] = operationOf(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Lesmodus school server',
      version,
      description: 'Classroom device policy (Gedragscode Social Media SVOK): timetable, exceptions (grants), device sync and the leader\'s exception log. '
        + 'Instants are epoch milliseconds. Errors are JSON with a stable `error` code.',
    },
    paths,
    components: {
      schemas: { Error: jsonSchema(ErrorSchema, 'output') },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'From POST /api/v1/session (HttpOnly, SameSite=Strict).' },
        csrf: { type: 'apiKey', in: 'header', name: CSRF_HEADER, description: 'The csrfToken of POST /api/v1/session or GET /api/v1/me; required on POST, PUT and DELETE.' },
        device: { type: 'http', scheme: 'bearer', description: 'The credential from POST /api/v1/devices/enroll.' },
      },
    },
  };
}
