/**
 * The packages as a user gets them: every package under packages/ is built (tsup), packed with
 * `pnpm pack`, and installed from the tarballs into a scratch project in the OS temp folder,
 * outside the workspace. There each package (and each export subpath) is imported from ESM,
 * required from CommonJS, and type-checked from TypeScript with NodeNext resolution; the packed
 * manifests carry no `workspace:` range and publint finds nothing; and `testClock` loads with
 * plain node, without vitest installed.
 */
import { type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const tsc = join(root, 'node_modules/typescript/bin/tsc');
// Bounds against a hang, not expectations: the whole setup takes one to two minutes, and more on a
// machine whose two cores also run the rest of the suite.
const SETUP_MS = 480_000;

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

interface Workspace {
  dir: string;
  manifest: Manifest;
  tarball: string;
}

/** Every publishable package under packages/, as it is when the test runs. */
const workspaces: Workspace[] = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
    const tarball = `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`;
    return { dir, manifest, tarball };
  })
  .filter(({ manifest }) => manifest.private !== true);

/** `name` or `name/subpath` for every export subpath of every package. */
const entryPoints = workspaces.flatMap(({ manifest }) =>
  Object.keys(manifest.exports ?? { '.': null })
    .filter((key) => key !== './package.json' && !key.includes('*'))
    .map((key) => (key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`)),
);

/** Entry points that need an optional peer the scratch project leaves out on purpose. */
const NEEDS_VITEST = new Set(['@parley/chat-core/testing']);

function run(
  command: string,
  args: string[],
  options: SpawnOptions & { timeoutMs: number },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += String(chunk);
    });
    child.stderr?.on('data', (chunk) => {
      output += String(chunk);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function mustRun(what: string, command: string, args: string[], cwd: string, timeoutMs: number) {
  const result = await run(command, args, { cwd, timeoutMs, env: process.env });
  if (result.code !== 0)
    throw new Error(`${what} failed (exit ${result.code}):\n${result.output.slice(-4000)}`);
  return result.output;
}

let work = '';
let scratch = '';
let tarballs = '';
const node = (file: string) => run(process.execPath, [file], { cwd: scratch, timeoutMs: 30_000 });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'parley-packaging-'));
  tarballs = join(work, 'tarballs');
  scratch = join(work, 'scratch');
  mkdirSync(scratch);
  // Two runs of this test in one checkout would clean each other's dist/ mid-pack: build and pack
  // under a lock where flock exists (it does on Linux; CI runs one fresh clone anyway).
  const pnpmRecursive = 'npx -y pnpm@10 -r --filter "./packages/*"';
  const buildAndPack = `${pnpmRecursive} build && ${pnpmRecursive} pack --pack-destination "${tarballs}"`;
  const flock = spawnSync('flock', ['--version'], { stdio: 'ignore' }).status === 0;
  const lock = join(tmpdir(), 'parley-packaging-build.lock');
  await mustRun(
    'build and pnpm pack',
    flock ? 'flock' : 'sh',
    flock ? [lock, 'sh', '-c', buildAndPack] : ['-c', buildAndPack],
    root,
    300_000,
  );

  // The tarballs, their required peers (optional ones such as vitest stay out), and @types/node.
  const local = Object.fromEntries(
    workspaces.map(({ manifest, tarball }) => [manifest.name, `file:../tarballs/${tarball}`]),
  );
  const peers: Record<string, string> = {};
  for (const { manifest } of workspaces)
    for (const [name, range] of Object.entries(manifest.peerDependencies ?? {}))
      if (!(name in local) && !manifest.peerDependenciesMeta?.[name]?.optional) peers[name] = range;
  writeFileSync(
    join(scratch, 'package.json'),
    JSON.stringify({
      name: 'parley-packaging-scratch',
      private: true,
      type: 'module',
      dependencies: { ...local, ...peers },
      devDependencies: { '@types/node': '^20.19.0' },
      pnpm: { overrides: local },
    }),
  );
  await mustRun(
    'install of the tarballs',
    'npx',
    ['-y', 'pnpm@10', 'install', '--prefer-offline'],
    scratch,
    150_000,
  );

  // One probe per module system: what each entry point exports, or why it failed to load.
  const probe = (load: string) => `
const report = {};
for (const id of ${JSON.stringify(entryPoints)}) {
  try {
    report[id] = { ok: true, exports: Object.keys(${load}).sort() };
  } catch (error) {
    report[id] = { ok: false, error: String(error && error.message).split('\\n')[0] };
  }
}
console.log(JSON.stringify(report));
`;
  writeFileSync(join(scratch, 'esm.mjs'), probe('await import(id)'));
  writeFileSync(join(scratch, 'cjs.cjs'), probe('require(id)'));

  writeFileSync(
    join(scratch, 'clock.mjs'),
    `import { testClock } from '@parley/chat-core/testing/clock';
let vitest = 'absent';
try { import.meta.resolve('vitest'); vitest = 'installed'; } catch {}
const clock = testClock(new Date('2030-01-01T00:00:00.000Z'));
clock.advance(1500);
console.log(vitest, clock.now().toISOString());
`,
  );
  writeFileSync(
    join(scratch, 'clock.cjs'),
    `const { testClock } = require('@parley/chat-core/testing/clock');
const clock = testClock(new Date('2030-01-01T00:00:00.000Z'));
clock.set(new Date('2031-02-03T04:05:06.000Z'));
console.log(clock.now().toISOString());
`,
  );

  // TypeScript, NodeNext: every entry point resolves with types, and the types are real (a wrong
  // call is an error, which `@ts-expect-error` requires).
  const has = (name: string) => workspaces.some(({ manifest }) => manifest.name === name);
  const lines = entryPoints.map((id, i) => `import * as entry${i} from '${id}';`);
  lines.push(`export const loaded = [${entryPoints.map((_, i) => `entry${i}`).join(', ')}];`);
  if (has('@parley/chat-core')) {
    lines.push(
      `import { createChatEngine, memoryStore, type ChatEngine } from '@parley/chat-core';`,
      `import { testClock, type TestClock } from '@parley/chat-core/testing/clock';`,
      `const clock: TestClock = testClock();`,
      `export const engine: ChatEngine = createChatEngine({ config: { jwtSecret: 'a-secret-of-32-characters-000000' }, store: memoryStore(), clock });`,
      `// @ts-expect-error: a number is no store`,
      `createChatEngine({ config: { jwtSecret: 'a-secret-of-32-characters-000000' }, store: 42 });`,
    );
  }
  if (has('@parley/host-express'))
    lines.push(
      `import { createHost, type Host } from '@parley/host-express';`,
      `export const host: () => Promise<Host> = () => createHost({ config: { port: 0 } });`,
      `// @ts-expect-error: the port is a number`,
      `createHost({ config: { port: 'eighty' } });`,
    );
  writeFileSync(join(scratch, 'check.mts'), `${lines.join('\n')}\n`);
  writeFileSync(
    join(scratch, 'check.cts'),
    `${entryPoints
      .filter((id) => !NEEDS_VITEST.has(id))
      .map((id, i) => `import entry${i} = require('${id}');\nexport const loaded${i} = entry${i};`)
      .join('\n')}\n`,
  );
  writeFileSync(
    join(scratch, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
      },
      files: ['check.mts', 'check.cts'],
    }),
  );
}, SETUP_MS);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed packages, installed outside the workspace', () => {
  it('are every package under packages/', () => {
    expect(workspaces.map(({ manifest }) => manifest.name)).toEqual(
      expect.arrayContaining([
        '@parley/chat-core',
        '@parley/adapter-mongo',
        '@parley/transport-socketio',
        '@parley/host-express',
      ]),
    );
  });

  it('carry no workspace: range, and peers on @parley/* are real ranges even before pnpm rewrites them', () => {
    for (const { manifest, tarball } of workspaces) {
      const packed = readFileSync(join(tarballs, tarball));
      expect(packed.length, tarball).toBeGreaterThan(0);
      for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) {
        // npm pack copies peerDependencies verbatim: they must be ranges already.
        expect(range, `${manifest.name} peerDependencies.${name}`).not.toMatch(/^workspace:/);
        const peer = workspaces.find((w) => w.manifest.name === name);
        if (peer) expect(range, `${manifest.name} peer ${name}`).toBe(`^${peer.manifest.version}`);
      }
    }
  });

  it('pass publint with nothing to report', async () => {
    const reports: string[] = [];
    for (const { tarball } of workspaces) {
      const bytes = readFileSync(join(tarballs, tarball));
      const { messages, pkg } = await publint({
        pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
        level: 'suggestion',
      });
      for (const message of messages)
        reports.push(`${tarball}: ${message.type}: ${formatMessage(message, pkg, { color: false })}`);
    }
    expect(reports).toEqual([]);
  });

  it('load from ESM: every entry point', async () => {
    const { code, output } = await node('esm.mjs');
    expect(code, output).toBe(0);
    const report = JSON.parse(output.trim().split('\n').at(-1) ?? '{}');
    for (const id of entryPoints) {
      if (NEEDS_VITEST.has(id)) {
        // The conformance kit needs its optional peer, vitest, which this project does not have.
        expect(report[id], id).toMatchObject({ ok: false, error: expect.stringContaining('vitest') });
        continue;
      }
      expect(report[id], id).toMatchObject({ ok: true });
      expect(report[id].exports.length, `${id} exports`).toBeGreaterThan(0);
    }
    expectKnownExports(report);
  });

  it('load from CommonJS require (Node ≥ 20.19 requires ESM through the default condition)', async () => {
    const { code, output } = await node('cjs.cjs');
    expect(code, output).toBe(0);
    const report = JSON.parse(output.trim().split('\n').at(-1) ?? '{}');
    for (const id of entryPoints) {
      if (NEEDS_VITEST.has(id)) continue;
      expect(report[id], id).toMatchObject({ ok: true });
    }
    expectKnownExports(report);
  });

  it('type-check from TypeScript with module/moduleResolution NodeNext, ESM and CommonJS', async () => {
    const { code, output } = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], {
      cwd: scratch,
      timeoutMs: 60_000,
    });
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  it('give testClock to plain node, ESM and CommonJS, without vitest installed', async () => {
    const esm = await node('clock.mjs');
    expect(esm.output.trim()).toBe('absent 2030-01-01T00:00:01.500Z');
    expect(esm.code).toBe(0);
    const cjs = await node('clock.cjs');
    expect(cjs.output.trim()).toBe('2031-02-03T04:05:06.000Z');
    expect(cjs.code).toBe(0);
  });
});

/** The names the docs promise, wherever the package exists. */
function expectKnownExports(report: Record<string, { ok: boolean; exports?: string[] }>): void {
  const promised: Record<string, string[]> = {
    '@parley/chat-core': ['createChatEngine', 'memoryStore', 'memoryMailer', 'ChatError'],
    '@parley/chat-core/testing/clock': ['testClock'],
    '@parley/transport-socketio': ['attachSocketIO', 'socketServerOptions'],
    '@parley/host-express': ['createHost', 'loadEnv', 'hostConfig'],
    '@parley/adapter-mongo': ['mongoStore'],
  };
  for (const [id, names] of Object.entries(promised))
    if (entryPoints.includes(id)) expect(report[id]?.exports, id).toEqual(expect.arrayContaining(names));
}
