/**
 * `/openapi.json`, `/asyncapi.json` and `/docs` (Swagger UI, served from the swagger-ui-dist
 * package: no CDN, and nothing inline, so helmet's default Content-Security-Policy holds).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express, { Router } from 'express';
import { buildAsyncApi } from './asyncapi.js';
import { buildOpenApi } from './openapi.js';
import type { RouteDoc } from './routes.js';

/** `info.version` of both documents: the version of the wire API. */
export const API_VERSION = '0.1.0';

const swaggerUiDir = () => dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Parley API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<p style="font-family:sans-serif;margin:1em 2em">REST below; the Socket.IO events are in <a href="/asyncapi.json">/asyncapi.json</a> (AsyncAPI 3), the OpenAPI document in <a href="/openapi.json">/openapi.json</a>.</p>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  tryItOutEnabled: false,
});
`;

export interface ApiDocuments {
  openapi(): Record<string, unknown>;
  asyncapi(): Record<string, unknown>;
}

/** The two documents of a host, built once on first use. */
export function apiDocuments(routes: () => readonly RouteDoc[]): ApiDocuments {
  let openapi: Record<string, unknown> | undefined;
  let asyncapi: Record<string, unknown> | undefined;
  return {
    openapi: () => {
      openapi ??= buildOpenApi(routes(), { version: API_VERSION });
      return openapi;
    },
    asyncapi: () => {
      asyncapi ??= buildAsyncApi({ version: API_VERSION });
      return asyncapi;
    },
  };
}

/** The routes serving the documents and the reference. */
export function apiDocRoutes(documents: ApiDocuments): Router {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(documents.openapi());
  });
  router.get('/asyncapi.json', (_req, res) => {
    res.json(documents.asyncapi());
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(DOCS_PAGE);
  });
  router.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(INIT_SCRIPT);
  });
  router.use('/docs/assets', express.static(swaggerUiDir(), { index: false, maxAge: '1h' }));
  return router;
}
