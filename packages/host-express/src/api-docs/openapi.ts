/**
 * The OpenAPI 3.1 document of the REST routes, generated from the route table (routes.ts) and so
 * from the engine's own zod schemas: request bodies and query parameters from the input schemas
 * the engine validates with (their input side), answers from the view schemas (their output side).
 */
import { viewSchemas } from '@parley/chat-core';
import { z } from 'zod';
import type { RouteDoc } from './routes.js';

type Json = Record<string, unknown>;

const REF = '#/components/schemas/';

/** `:id` → `{id}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Drops what a standalone JSON Schema document carries but an embedded component must not. */
function embedded(schema: Json): Json {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/**
 * Converts named zod schemas into component schemas; schemas in `named` that appear inside
 * another become `$ref`s to it.
 */
export function componentSchemas(
  named: Record<string, z.ZodType>,
  io: 'input' | 'output',
  target: 'draft-2020-12' | 'draft-07',
  ref: string,
): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) if (!registry.has(schema)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target,
    io,
    unrepresentable: 'any',
    uri: (id) => `${ref}${id}`,
  }) as { schemas: Record<string, Json> };
  const out: Record<string, Json> = {};
  for (const [id, schema] of Object.entries(schemas)) out[id] = embedded(schema);
  return out;
}

/** The id a schema got in `named`, or the given one after adding it. */
function nameFor(named: Map<z.ZodType, string>, schema: z.ZodType, wanted: string): string {
  const known = named.get(schema);
  if (known !== undefined) return known;
  named.set(schema, wanted);
  return wanted;
}

const errorResponse = (description: string) => ({
  description,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: { error: { $ref: `${REF}ChatErrorBody` } },
        required: ['error'],
      },
    },
  },
});

export interface OpenApiOptions {
  /** `info.version`. */
  version: string;
  /** `servers[0].url`, when known. */
  serverUrl?: string | undefined;
}

/** Builds the OpenAPI 3.1 document of `routes`. */
export function buildOpenApi(routes: readonly RouteDoc[], options: OpenApiOptions): Json {
  // Output schemas (views and answers) and input schemas (bodies) are converted apart: the same
  // zod schema describes different JSON on each side of a transform or a default.
  const outputs = new Map<z.ZodType, string>(Object.entries(viewSchemas).map(([id, s]) => [s, id]));
  const inputs = new Map<z.ZodType, string>();
  const paths: Record<string, Record<string, Json>> = {};

  for (const route of routes) {
    const op: Json = {
      operationId: route.operationId,
      tags: [route.tag],
      summary: route.summary,
      security: route.auth ? [{ bearer: [] }] : [],
    };
    const parameters: Json[] = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (route.query) {
      const query = z.toJSONSchema(route.query, { io: 'input', unrepresentable: 'any' }) as Json;
      const required = new Set((query.required as string[] | undefined) ?? []);
      for (const [name, schema] of Object.entries((query.properties ?? {}) as Record<string, Json>)) {
        parameters.push({ name, in: 'query', required: required.has(name), schema });
      }
    }
    if (parameters.length > 0) op.parameters = parameters;
    if (route.body) {
      const id = nameFor(inputs, route.body, `${capital(route.operationId)}Body`);
      op.requestBody = {
        required: true,
        content: { 'application/json': { schema: { $ref: `${REF}${id}` } } },
      };
    }
    const responses: Record<string, Json> = {};
    for (const [status, answer] of Object.entries(route.responses)) {
      const response: Json = { description: answer.description };
      if (answer.json) {
        const id = nameFor(
          outputs,
          answer.json,
          `${capital(route.operationId)}Response${status === '200' ? '' : status}`,
        );
        response.content = { 'application/json': { schema: { $ref: `${REF}${id}` } } };
      } else if (answer.html) response.content = { 'text/html': { schema: { type: 'string' } } };
      else if (answer.text) response.content = { [answer.text]: { schema: { type: 'string' } } };
      responses[status] = response;
    }
    if (route.body || route.query || parameters.length > 0)
      responses['400'] = errorResponse('VALIDATION_FAILED');
    if (route.auth) responses['401'] = errorResponse('UNAUTHORIZED or TOKEN_EXPIRED');
    if (route.path.startsWith('/api/')) {
      if (route.auth) {
        responses['403'] = errorResponse('Refused by a rule (FORBIDDEN, NOT_FRIENDS, BLOCKED …)');
        responses['404'] = errorResponse('NOT_FOUND');
      }
      if (route.body) responses['413'] = errorResponse('PAYLOAD_TOO_LARGE');
      if (route.limited || route.operationId.startsWith('send') || route.operationId === 'login')
        responses['429'] = errorResponse('RATE_LIMITED (with Retry-After)');
      responses.default = errorResponse('Any other error of the contract');
    }
    op.responses = responses;
    const path = openApiPath(route.path);
    paths[path] ??= {};
    (paths[path] as Record<string, Json>)[route.method] = op;
  }

  const byName = (map: Map<z.ZodType, string>) =>
    Object.fromEntries([...map].map(([schema, id]) => [id, schema]));
  const schemas = {
    ...componentSchemas(byName(outputs), 'output', 'draft-2020-12', REF),
    ...componentSchemas(byName(inputs), 'input', 'draft-2020-12', REF),
  };

  return {
    openapi: '3.1.0',
    info: {
      title: 'Parley REST API',
      version: options.version,
      description:
        'The REST half of the Parley chat server. The Socket.IO events are described by /asyncapi.json. ' +
        'Errors answer `{ error: { code, message, details? } }`.',
    },
    ...(options.serverUrl && { servers: [{ url: options.serverUrl }] }),
    tags: [...new Set(routes.map((route) => route.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
