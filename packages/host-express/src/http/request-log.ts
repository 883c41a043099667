/** Request logs with pino-http; tokens never reach a log line. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

const SECRET_QUERY = new Set(['token', 'access_token']);
const SECRET_HEADERS = new Set(['authorization', 'cookie', 'set-cookie']);

/** The URL with every secret query parameter replaced by `[Redacted]`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let changed = false;
  for (const key of params.keys()) {
    if (SECRET_QUERY.has(key.toLowerCase())) {
      params.set(key, '[Redacted]');
      changed = true;
    }
  }
  return changed ? `${url.slice(0, q)}?${params.toString()}` : url;
}

interface SerializedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  query?: Record<string, unknown>;
  headers?: Record<string, unknown>;
  remoteAddress?: string;
}

/** pino-http middleware logging each request once, at warn for 4xx and error for 5xx. */
export function requestLogger(logger: Logger) {
  return pinoHttp<IncomingMessage, ServerResponse>({
    logger,
    customLogLevel: (_req, res, err) => {
      if (err || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return 'info';
    },
    serializers: {
      // Response headers are noise in a request log; the status says what happened.
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      req: (req: SerializedRequest) => {
        const headers: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(req.headers ?? {})) {
          headers[key] = SECRET_HEADERS.has(key.toLowerCase()) ? '[Redacted]' : value;
        }
        return {
          id: req.id,
          method: req.method,
          url: req.url === undefined ? undefined : redactUrl(req.url),
          headers,
          remoteAddress: req.remoteAddress,
        };
      },
    },
  });
}
