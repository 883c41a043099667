/**
 * Checks real answers against the served documents: an `Api` wrapper that validates every
 * response of a documented route against the OpenAPI response schema of its route and status,
 * and a validator of socket payloads against the AsyncAPI schemas.
 */

import { Ajv as Ajv07 } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Api } from '../helpers.js';

type Json = Record<string, unknown>;

/** A JSON schema validator over one document's components. */
function validatorOver(document: Json, id: string, dialect: '2020' | '07') {
  const ajv =
    dialect === '2020'
      ? new Ajv2020({ strict: false, allErrors: true })
      : new Ajv07({ strict: false, allErrors: true });
  (addFormats as unknown as (ajv: unknown) => void)(ajv);
  ajv.addSchema({ $id: id, components: document.components }, id);
  return (schemaRef: Json | string, value: unknown): string | null => {
    const schema = typeof schemaRef === 'string' ? { $ref: `${id}${schemaRef}` } : rebase(schemaRef, id);
    const validate = ajv.compile(schema);
    return validate(value) ? null : ajv.errorsText(validate.errors, { separator: '; ' });
  };
}

/** Makes a document-relative `$ref` inside an inline schema point into the registered document. */
function rebase(schema: Json, id: string): Json {
  return JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#/', `"$ref":"${id}#/`)) as Json;
}

export interface Checked {
  method: string;
  route: string;
  status: number;
}

/**
 * Wraps `api`: every answer of a route in the OpenAPI document is validated against the schema of
 * its status (a status the route does not document fails too). `checked` lists what was validated.
 */
export function validatingApi(api: Api, openapi: Json): { api: Api; checked: Checked[] } {
  const validate = validatorOver(openapi, 'https://parley.test/openapi.json', '2020');
  const paths = openapi.paths as Record<string, Record<string, Json>>;
  const templates = Object.keys(paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  const checked: Checked[] = [];
  const wrapped: Api = async (method, path, options) => {
    const res = await api(method, path, options);
    const bare = path.split('?')[0] ?? path;
    const match = templates.find(({ pattern }) => pattern.test(bare));
    const operation = match && paths[match.template]?.[method.toLowerCase()];
    if (!match || !operation) throw new Error(`${method} ${bare} is not in the OpenAPI document`);
    const responses = operation.responses as Record<string, Json>;
    const response = responses[String(res.status)] ?? responses.default;
    if (!response)
      throw new Error(`${method} ${match.template} answered ${res.status}, which it does not document`);
    const content = response.content as Record<string, { schema: Json }> | undefined;
    const json = content?.['application/json'];
    if (json) {
      const problem = validate(json.schema, res.body);
      if (problem)
        throw new Error(
          `${method} ${match.template} ${res.status}: ${problem}\n${JSON.stringify(res.body).slice(0, 500)}`,
        );
    } else if (content === undefined && res.body !== undefined) {
      throw new Error(`${method} ${match.template} ${res.status} documents no body but sent one`);
    }
    checked.push({ method: method.toLowerCase(), route: match.template, status: res.status });
    return res;
  };
  return { api: wrapped, checked };
}

/** Validates socket payloads against the AsyncAPI document's messages. */
export function asyncApiValidator(asyncapi: Json): (message: string, value: unknown) => void {
  const validate = validatorOver(asyncapi, 'https://parley.test/asyncapi.json', '07');
  const messages = (asyncapi.channels as { socket: { messages: Record<string, { payload: Json }> } }).socket
    .messages;
  return (message, value) => {
    const payload = messages[message]?.payload;
    if (!payload) throw new Error(`${message} is not in the AsyncAPI document`);
    const problem = validate(payload, value);
    if (problem) throw new Error(`${message}: ${problem}\n${JSON.stringify(value).slice(0, 500)}`);
  };
}
