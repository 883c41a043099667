/**
 * The served OpenAPI and AsyncAPI documents: valid by real validators, the same set of routes as
 * the host mounts, and true to what the server answers (a tour of the API through a wrapper that
 * validates every response against its route's response schema).
 */
import { Parser } from '@asyncapi/parser';
import type { Host } from '@parley/host-express';
import { Validator } from '@seriousme/openapi-schema-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { nextEvent, startServer, useServer } from '../helpers.js';
import { asyncApiValidator, validatingApi } from './contract.js';

type Json = Record<string, unknown>;

const server = useServer();
let openapi: Json;
let asyncapi: Json;

beforeAll(async () => {
  openapi = (await server.api('GET', '/openapi.json')).body;
  asyncapi = (await server.api('GET', '/asyncapi.json')).body;
});

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  slash?: boolean;
  name?: string;
}

/** Every `METHOD /path` the Express app routes, walking routers mounted at `/`. */
function mountedRoutes(host: Host): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods))
          if (on && method !== '_all') out.push(`${method.toUpperCase()} ${layer.route.path}`);
      } else if (layer.handle?.stack) {
        if (!layer.slash) throw new Error('a router mounted under a prefix: teach mountedRoutes its path');
        walk(layer.handle.stack);
      }
    }
  };
  walk((host.app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out.sort();
}

function documentedRoutes(document: Json): string[] {
  const out: string[] = [];
  for (const [path, operations] of Object.entries(document.paths as Record<string, Json>))
    for (const method of Object.keys(operations))
      out.push(`${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`);
  return out.sort();
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    expect(openapi.openapi).toBe('3.1.0');
    const result = await new Validator().validate(openapi as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes exactly the routes the host mounts', () => {
    const mounted = mountedRoutes(server.host);
    expect(mounted.length).toBeGreaterThan(50);
    expect(documentedRoutes(openapi)).toEqual(mounted);
  });

  it('lists /metrics only where the host serves it there', async () => {
    expect(documentedRoutes(openapi)).not.toContain('GET /metrics');
    const withMetrics = await startServer({ config: { metrics: true } });
    try {
      const document = (await withMetrics.api('GET', '/openapi.json')).body;
      expect(documentedRoutes(document)).toContain('GET /metrics');
      expect(documentedRoutes(document)).toEqual(mountedRoutes(withMetrics.host));
    } finally {
      await withMetrics.close();
    }
  });

  it('takes its request bodies from the schemas the engine validates with', () => {
    const schemas = (openapi.components as { schemas: Record<string, Json> }).schemas;
    // The register body says what registerSchema says: 8 to 72 bytes are a refinement zod cannot
    // express, but the fields and the nickname's limit are there.
    expect(schemas.RegisterBody).toMatchObject({
      type: 'object',
      required: ['email', 'password', 'nickname'],
    });
    expect(schemas.SendPrivateBody?.required).toEqual(['content']);
    const createGroup = schemas.CreateGroupBody as { properties: Record<string, Json> };
    // Built from the engine's config, as the engine builds it.
    expect(createGroup.properties.maxMembers?.maximum).toBe(server.host.engine.config.groupMaxMembers);
  });
});

describe('the AsyncAPI document', () => {
  it('is valid AsyncAPI 3 by the AsyncAPI parser', async () => {
    expect(asyncapi.asyncapi).toBe('3.0.0');
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(asyncapi));
    expect(
      diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('.')}: ${d.message}`),
    ).toEqual([]);
    expect(document).toBeDefined();
  });

  it('has every client event (with its ack) and every server event', async () => {
    const { CHAT_EVENT_NAMES, CLIENT_EVENT_NAMES } = await import('@parley/chat-core');
    const operations = asyncapi.operations as Record<string, { action: string; reply?: unknown }>;
    for (const event of CLIENT_EVENT_NAMES) {
      expect(operations[event]?.action, event).toBe('receive');
      expect(operations[event]?.reply, event).toBeDefined();
    }
    for (const event of [...CHAT_EVENT_NAMES, 'chat_error'])
      expect(operations[`on_${event}`]?.action, event).toBe('send');
  });
});

describe('/docs', () => {
  it('serves the reference and its renderer from this server, under the default CSP', async () => {
    const page = await server.api('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const scripts = [...String(page.body).matchAll(/<script src="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(scripts).toEqual(['/docs/assets/swagger-ui-bundle.js', '/docs/init.js']);
    expect(String(page.body)).not.toMatch(/https?:\/\//);
    for (const asset of [...scripts, '/docs/assets/swagger-ui.css']) {
      const res = await fetch(server.url + asset);
      expect(res.status, asset).toBe(200);
      expect((await res.arrayBuffer()).byteLength, asset).toBeGreaterThan(100);
    }
    const missing = await server.api('GET', '/docs/assets/nope.js');
    expect(missing.status, JSON.stringify(missing.body)).toBe(404);
  });
});

describe('real answers', () => {
  it('match the response schemas, route by route', async () => {
    const { api, checked } = validatingApi(server.api, openapi);
    const validateEvent = asyncApiValidator(asyncapi);
    const register = async (nickname: string) => {
      const email = `${nickname}-${Date.now()}@example.test`;
      const res = await api('POST', '/api/auth/register', {
        body: { email, password: 'correct horse battery', nickname },
      });
      return { id: res.body.user.id as string, token: res.body.token as string, email };
    };
    const a = await register('Ann');
    const b = await register('Bob');
    const c = await register('Cat');
    const A = { token: a.token };
    const B = { token: b.token };

    await api('POST', '/api/auth/login', { body: { email: a.email, password: 'correct horse battery' } });
    await api('POST', '/api/auth/login', { body: { email: a.email, password: 'wrong password!' } });
    await api('POST', '/api/auth/resend-verification', { body: { email: a.email } });
    await api('POST', '/api/auth/password/forgot', { body: { email: 'nobody@example.test' } });
    await api('GET', '/api/users/me', A);
    await api('GET', '/api/users/me');
    await api('PUT', '/api/users/me', { ...A, body: { bio: 'hello' } });
    await api('GET', `/api/users/search?q=Bo`, A);
    await api('GET', `/api/users/${b.id}`, A);
    await api('GET', '/api/users/nobody', A);

    const request = await api('POST', '/api/friends/add', { ...A, body: { userId: b.id, message: 'hi' } });
    await api('GET', '/api/friends/requests?direction=incoming', B);
    await api('POST', `/api/friends/requests/${request.body.request.id}/accept`, B);
    await api('GET', '/api/friends', A);
    await api('POST', '/api/friends/add', { ...A, body: { userId: b.id } });

    const socket = await server.connect(b.token);
    const arriving = nextEvent(socket, 'new_private_message');
    const sent = await api('POST', `/api/messages/private/${b.id}`, {
      ...A,
      body: { content: 'hello', clientMsgId: 'm1' },
    });
    validateEvent('new_private_message', await arriving);
    const ack = await socket.emitWithAck('sync', {
      conversationId: sent.body.message.conversationId,
      afterSeq: 0,
    });
    validateEvent('sync_ack', ack);
    validateEvent('private_message_ack', await socket.emitWithAck('private_message', { receiverId: a.id }));
    await api('GET', `/api/messages/private/${b.id}?limit=10`, A);
    await api('GET', `/api/messages/private/${b.id}?limit=abc`, A);
    await api('GET', '/api/conversations', B);
    await api('POST', `/api/conversations/${sent.body.message.conversationId}/read`, {
      ...B,
      body: { seq: 1 },
    });
    await api('POST', `/api/messages/${sent.body.message.id}/recall`, A);
    await api('DELETE', `/api/messages/${sent.body.message.id}`, B);

    const group = await api('POST', '/api/groups', {
      ...A,
      body: { name: 'Club', memberIds: [b.id], joinPolicy: 'approval' },
    });
    const g = group.body.group.id as string;
    await api('GET', '/api/groups', A);
    await api('GET', `/api/groups/${g}`, A);
    await api('GET', `/api/groups/${g}`, { token: c.token });
    await api('PATCH', `/api/groups/${g}`, { ...A, body: { name: 'Book club' } });
    await api('GET', `/api/groups/${g}/members`, A);
    const joining = await api('POST', `/api/groups/${g}/join`, {
      token: c.token,
      body: { message: 'me too' },
    });
    await api('GET', `/api/groups/${g}/join-requests`, A);
    await api('POST', `/api/groups/${g}/join-requests/${joining.body.request.id}/approve`, A);
    const posted = await api('POST', `/api/messages/group/${g}`, {
      ...A,
      body: { content: 'hi all', mentions: [b.id] },
    });
    await api('GET', `/api/messages/${posted.body.message.id}/readers`, A);
    await api('GET', `/api/messages/group/${g}`, B);
    await api('POST', `/api/groups/${g}/mutes`, { ...A, body: { userId: c.id, durationSeconds: 60 } });
    await api('DELETE', `/api/groups/${g}/mutes/${c.id}`, A);
    await api('PUT', `/api/groups/${g}/announcement`, { ...A, body: { text: 'Welcome' } });
    await api('PUT', `/api/groups/${g}/admins/${b.id}`, A);
    await api('DELETE', `/api/groups/${g}/admins/${b.id}`, A);
    await api('GET', `/api/groups/${g}/qrcode?format=svg`, A);
    await api('POST', `/api/groups/${g}/transfer`, { ...A, body: { userId: b.id } });
    await api('DELETE', `/api/groups/${g}/members/${c.id}`, B);
    await api('POST', `/api/groups/${g}/leave`, A);

    const qr = await api('GET', '/api/users/me/qrcode', { token: c.token });
    await api('GET', `/api/invites/${qr.body.token}`, A);
    await api('POST', `/api/invites/${qr.body.token}/redeem`, A);
    await api('POST', '/api/users/me/qrcode/rotate', { token: c.token });
    await api('POST', `/api/invites/${qr.body.token}/redeem`, B);

    await api('POST', '/api/blacklist', { ...A, body: { userId: c.id } });
    await api('GET', '/api/blacklist', A);
    await api('DELETE', `/api/blacklist/${c.id}`, A);
    await api('DELETE', `/api/friends/${b.id}`, A);
    await api('GET', '/health');
    await api('PUT', '/api/users/me/password', {
      ...B,
      body: { currentPassword: 'correct horse battery', newPassword: 'another horse battery' },
    });
    await api('POST', '/api/auth/logout-all', { token: c.token });
    await api('POST', '/api/auth/logout', A);
    socket.disconnect();

    // The tour reached most of the document, success and refusal answers alike.
    const routes = new Set(checked.map(({ method, route }) => `${method} ${route}`));
    expect(routes.size).toBeGreaterThanOrEqual(50);
    expect(checked.filter(({ status }) => status >= 400).length).toBeGreaterThanOrEqual(5);
  });

  it('fail the wrapper when they do not match', async () => {
    const broken = structuredClone(openapi) as Json;
    const schemas = (broken.components as { schemas: Record<string, Json> }).schemas;
    (schemas.HealthResponse as { required: string[] }).required.push('notThere');
    const { api } = validatingApi(server.api, broken);
    await expect(api('GET', '/health')).rejects.toThrow(/notThere/);
  });
});
