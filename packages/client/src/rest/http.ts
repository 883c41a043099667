/**
 * The one place REST requests are made: base URL, bearer token, JSON bodies, scalar queries, a
 * timeout, and every failure turned into a {@link ParleyError}.
 */
import { errorFromBody, ParleyError } from '../errors/parley-error.js';

/** The `fetch` the SDK calls: the global one, or one given (tests, React Native, proxies). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** A query string's values: scalars only, as the contract requires; `undefined` is left out. */
export type Query = Record<string, string | number | boolean | undefined>;

/** Options of one request. */
export interface RequestOptions {
  body?: unknown;
  query?: Query | undefined;
  /** Send the bearer token. @default true */
  auth?: boolean;
}

/** Makes REST requests; answers the parsed JSON body (undefined for 204/202 without a body). */
export interface HttpClient {
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
}

/** Options of {@link createHttpClient}. */
export interface HttpClientOptions {
  /** The server's base URL, e.g. `https://chat.example.com`. */
  url: string;
  /** The current token, asked before each request; null sends none. */
  getToken: () => string | null;
  /** @default globalThis.fetch */
  fetch?: FetchLike | undefined;
  /** Abort a request with no answer after this long. @default 15000 */
  timeoutMs?: number | undefined;
}

/** Encodes one path segment (ids, tokens, emoji). */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Creates the {@link HttpClient} every REST helper goes through. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const base = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 15_000;
  return {
    async request<T>(method: string, path: string, request: RequestOptions = {}): Promise<T> {
      const doFetch = options.fetch ?? (globalThis.fetch as FetchLike | undefined);
      if (!doFetch) throw new ParleyError({ code: 'NETWORK', message: 'no fetch in this environment' });
      const headers: Record<string, string> = { accept: 'application/json' };
      const token = request.auth === false ? null : options.getToken();
      if (token) headers.authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (request.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(request.body);
      }
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      let response: Response;
      let text: string;
      try {
        response = await doFetch(base + path + queryString(request.query), {
          method,
          headers,
          ...(body !== undefined && { body }),
          signal: controller.signal,
        });
        text = await response.text();
      } catch (cause) {
        const timedOut = controller.signal.aborted;
        throw new ParleyError({
          code: timedOut ? 'TIMEOUT' : 'NETWORK',
          message: timedOut
            ? `${method} ${path}: no answer within ${timeoutMs} ms`
            : `${method} ${path} failed`,
          cause,
        });
      } finally {
        clearTimeout(timer);
      }
      let parsed: unknown;
      if (text.length > 0) {
        try {
          parsed = JSON.parse(text);
        } catch (cause) {
          if (response.ok)
            throw new ParleyError({ code: 'INTERNAL', status: response.status, message: 'not JSON', cause });
        }
      }
      if (response.ok) return parsed as T;
      const error = (parsed as { error?: unknown } | undefined)?.error;
      if (error) {
        const failure = errorFromBody(error, response.status);
        // A 429 from a proxy may say only Retry-After: keep the contract's retryAfterMs either way.
        if (failure.code === 'RATE_LIMITED' && failure.retryAfterMs === undefined) {
          const seconds = Number(response.headers.get('retry-after'));
          if (Number.isFinite(seconds))
            return Promise.reject(
              new ParleyError({
                code: failure.code,
                status: failure.status,
                message: failure.message,
                details: { ...failure.details, retryAfterMs: seconds * 1000 },
              }),
            );
        }
        throw failure;
      }
      throw new ParleyError({
        code: response.status === 429 ? 'RATE_LIMITED' : response.status >= 500 ? 'INTERNAL' : 'NOT_FOUND',
        status: response.status,
        message: `${method} ${path} answered ${response.status}`,
      });
    },
  };
}
