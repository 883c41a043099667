/**
 * The OpenAPI document is usable: openapi-typescript generates types from the served
 * /openapi.json, and a small client written against them compiles under strict tsc (and a wrong
 * use of them does not, so the types are real, not `any`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { useServer } from '../helpers.js';

const server = useServer();
const dir = mkdtempSync(join(tmpdir(), 'parley-openapi-client-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const USAGE = `import type { components, paths } from './parley.js';

type Login = paths['/api/auth/login']['post'];
type LoginBody = NonNullable<Login['requestBody']>['content']['application/json'];
type LoginAnswer = Login['responses'][200]['content']['application/json'];

export async function login(base: string, email: string, password: string): Promise<string> {
  const body: LoginBody = { email, password };
  const res = await fetch(base + '/api/auth/login', { method: 'POST', body: JSON.stringify(body) });
  const answer = (await res.json()) as LoginAnswer;
  const nickname: string = answer.user.nickname;
  void nickname;
  return answer.token;
}

type History = paths['/api/messages/private/{friendId}']['get'];
export const query: NonNullable<History['parameters']['query']> = { afterSeq: 3, limit: 20 };
type Page = History['responses'][200]['content']['application/json'];
export function lastSeq(page: Page): number {
  return page.messages.at(-1)?.seq ?? 0;
}

type Message = components['schemas']['Message'];
export function preview(message: Message): string {
  // @ts-expect-error seq is a number, not a string: the generated types are not any
  const wrong: string = message.seq;
  void wrong;
  return message.recalled ? '(recalled)' : message.content;
}
`;

function compile(files: Record<string, string>): string[] {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const program = ts.createProgram(
    Object.keys(files).map((name) => join(dir, name)),
    {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      types: [],
      skipLibCheck: false,
    },
  );
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('a client generated from /openapi.json by openapi-typescript', () => {
  it('compiles, with types that catch a wrong use', async () => {
    const document = (await server.api('GET', '/openapi.json')).body;
    const types = astToString(await openapiTS(document));
    expect(types).toContain('"/api/auth/login"');
    expect(compile({ 'parley.d.ts': types, 'usage.ts': USAGE })).toEqual([]);
    // Without the expect-error line's protection, the wrong use is an error.
    const broken = USAGE.replace(
      '  // @ts-expect-error seq is a number, not a string: the generated types are not any\n',
      '',
    );
    expect(compile({ 'parley.d.ts': types, 'usage.ts': broken }).join('\n')).toMatch(
      /not assignable to type 'string'/,
    );
  });
});
