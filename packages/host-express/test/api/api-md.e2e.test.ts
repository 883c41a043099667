/**
 * docs/API.md and the served documents cannot drift: every route of /openapi.json and every event
 * of /asyncapi.json is in docs/API.md, and every route or event row of its tables is in them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useServer } from '../helpers.js';

const server = useServer({ config: { metrics: true } });
const apiMd = readFileSync(fileURLToPath(new URL('../../../../docs/API.md', import.meta.url)), 'utf8');

/** `GET /api/users/search?q=&limit=` → `GET /api/users/search`. */
const bare = (route: string) => route.replace(/\?.*$/, '');

/** Routes in backticks anywhere in the page, and the ones that head a table row. */
function routesOf(markdown: string): { mentioned: Set<string>; rows: string[] } {
  const pattern = /`((?:GET|POST|PUT|PATCH|DELETE) \/[^`\s]*)`/g;
  const mentioned = new Set([...markdown.matchAll(pattern)].map((m) => bare(m[1] ?? '')));
  const rows = [...markdown.matchAll(/^\| `((?:GET|POST|PUT|PATCH|DELETE) \/[^`\s]*)`/gm)].map((m) =>
    bare(m[1] ?? ''),
  );
  return { mentioned, rows };
}

/** Event names heading a row of the Socket.IO tables (lower snake case, unlike error codes). */
function eventRowsOf(markdown: string): string[] {
  const socketPart = markdown.slice(markdown.indexOf('## Socket.IO'));
  return [...socketPart.matchAll(/^\| `([a-z][a-z_]*)`/gm)].map((m) => m[1] ?? '');
}

describe('docs/API.md', () => {
  it('names every route of the OpenAPI document, and only those in its tables', async () => {
    const openapi = (await server.api('GET', '/openapi.json')).body as { paths: Record<string, object> };
    const documented = Object.entries(openapi.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map(
        (method) => `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`,
      ),
    );
    const { mentioned, rows } = routesOf(apiMd);
    expect(documented.filter((route) => !mentioned.has(route))).toEqual([]);
    expect(rows.length).toBeGreaterThan(50);
    expect(rows.filter((route) => !documented.includes(route))).toEqual([]);
  });

  it('names every event of the AsyncAPI document in a table row, and only those', async () => {
    const asyncapi = (await server.api('GET', '/asyncapi.json')).body as {
      channels: { socket: { messages: Record<string, { name: string }> } };
    };
    const events = Object.keys(asyncapi.channels.socket.messages).filter((name) => !name.endsWith('_ack'));
    const rows = eventRowsOf(apiMd);
    expect(events.length).toBeGreaterThan(25);
    expect(events.filter((event) => !rows.includes(event))).toEqual([]);
    expect(rows.filter((event) => !events.includes(event))).toEqual([]);
  });

  it('would notice a drift', () => {
    const { rows } = routesOf(`${apiMd}\n| \`GET /api/not-served\` | — |\n`);
    expect(rows).toContain('GET /api/not-served');
    expect(eventRowsOf(apiMd.replace('| `group_join_request`', '| gone'))).not.toContain(
      'group_join_request',
    );
  });
});
