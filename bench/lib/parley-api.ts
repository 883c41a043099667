/**
 * Setting up L3 the way a client would: real accounts, real friendships and real groups through
 * the contract's REST routes. Nothing is injected behind the host's back.
 */

export interface BenchUser {
  id: string;
  email: string;
  password: string;
  token: string;
}

export const BENCH_PASSWORD = 'bench-password-1';

/** Thrown when a route answers something else than the contract's success. */
export class ApiError extends Error {
  constructor(
    readonly route: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${route} answered ${status}: ${body.slice(0, 300)}`);
  }
}

async function call<T>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (!res.ok) throw new ApiError(`${method} ${path}`, res.status, text);
  return (text ? JSON.parse(text) : null) as T;
}

/** Runs `fn` over `items` with at most `limit` in flight; answers results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function register(base: string, tag: string, i: number): Promise<BenchUser> {
  const email = `${tag}-${i}@bench.example.com`;
  const { user, token } = await call<{ user: { id: string }; token: string }>(
    base,
    'POST',
    '/api/auth/register',
    { email, password: BENCH_PASSWORD, nickname: `${tag}${i}` },
  );
  return { id: user.id, email, password: BENCH_PASSWORD, token };
}

/** A asks, B accepts: the contract's friendship, both sides. */
export async function befriend(base: string, a: BenchUser, b: BenchUser): Promise<void> {
  const { request } = await call<{ request: { id: string } }>(
    base,
    'POST',
    '/api/friends/add',
    { userId: b.id },
    a.token,
  );
  await call(base, 'POST', `/api/friends/requests/${request.id}/accept`, undefined, b.token);
}

/** An open group created by `owner`, joined by every other member through `/join`. */
export async function openGroup(
  base: string,
  owner: BenchUser,
  members: readonly BenchUser[],
  name: string,
  concurrency: number,
): Promise<string> {
  const created = await call<{ group?: { id: string }; id?: string }>(
    base,
    'POST',
    '/api/groups',
    { name, joinPolicy: 'open' },
    owner.token,
  );
  const groupId = created.group?.id ?? created.id;
  if (!groupId) throw new Error(`POST /api/groups answered no group id: ${JSON.stringify(created)}`);
  await mapLimit(
    members.filter((m) => m.id !== owner.id),
    concurrency,
    (m) => call(base, 'POST', `/api/groups/${groupId}/join`, {}, m.token),
  );
  return groupId;
}
