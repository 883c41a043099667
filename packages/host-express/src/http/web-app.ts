/**
 * Parley Web (apps/web) served at `/` and `/invite/:token`: hashed assets cached for a year as
 * immutable, index.html never cached, and a Content-Security-Policy of the app's own origin only
 * (scripts, styles, connections: REST, Socket.IO polling and WebSocket; images also as data: URLs,
 * which the QR codes are). `WEB_APP=false` leaves it out.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler, Router } from 'express';
import helmet from 'helmet';
import type { RouteDoc } from '../api-docs/routes.js';

/** Where the built app is: the `@parley/web` package when installed, else the monorepo's apps/web/dist. */
export function webAppDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@parley/web/package.json')), 'dist');
  } catch {
    return fileURLToPath(new URL('../../../../apps/web/dist', import.meta.url));
  }
}

const appCsp: RequestHandler = helmet.contentSecurityPolicy({
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    baseUri: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    // REST, Socket.IO polling and its WebSocket: 'self' covers ws: and wss: of the same host (CSP 3).
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
});

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Parley</title></head>
<body><p>The Parley web app is not built. Run <code>npx -y pnpm@10 --filter @parley/web build</code>,
or start the server with <code>npx -y pnpm@10 start</code>, which builds it.</p></body></html>`;

/** The app's pages in the OpenAPI document (served unless WEB_APP=false). */
export const webAppRouteDocs: readonly RouteDoc[] = [
  {
    method: 'get',
    path: '/',
    operationId: 'webApp',
    tag: 'operations',
    summary: 'Parley Web, the browser chat app (HTML; WEB_APP=false turns it off)',
    auth: false,
    responses: { 200: { description: 'The app', html: true } },
  },
  {
    method: 'get',
    path: '/invite/:token',
    operationId: 'webAppInvite',
    tag: 'operations',
    summary: 'What a QR code opens: the app, showing who or which group invites',
    auth: false,
    responses: { 200: { description: 'The app', html: true } },
  },
  {
    method: 'get',
    path: '/sw.js',
    operationId: 'webAppServiceWorker',
    tag: 'operations',
    summary: "The app's service worker (shows Web Push notifications); at the root so its scope is /",
    auth: false,
    responses: { 200: { description: 'JavaScript', text: 'text/javascript' } },
  },
];

/** The app's routes. `dir` holds `index.html` and `assets/`. */
export function webAppRoutes(dir: string = webAppDir()): Router {
  const router = Router();
  const indexPath = join(dir, 'index.html');
  // Read at each request (a small file): a rebuild while the server runs is served at once.
  const page: RequestHandler = (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(existsSync(indexPath) ? readFileSync(indexPath, 'utf8') : NOT_BUILT);
  };
  router.get('/', appCsp, page);
  router.get('/invite/:token', appCsp, page);
  // The service worker: served from the root (a worker's scope cannot be wider than its path) and
  // never cached as immutable, so browsers pick up a new one with the next build.
  const workerPath = join(dir, 'sw.js');
  router.get('/sw.js', appCsp, (_req, res, next) => {
    if (!existsSync(workerPath)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.type('text/javascript').send(readFileSync(workerPath));
  });
  router.use(
    '/assets',
    appCsp,
    express.static(join(dir, 'assets'), {
      index: false,
      fallthrough: true,
      immutable: true,
      maxAge: '365d',
    }),
  );
  return router;
}
