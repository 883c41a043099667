/**
 * The browser build: the SDK bundled for a browser (esbuild, platform browser, every dependency
 * inlined) must resolve with no Node built-in, and must not carry the engine (chat-core, bcrypt,
 * jsonwebtoken …): chat-core is imported for types only.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));

describe('the browser bundle', () => {
  it('builds for the browser with no Node built-in and without the engine', async () => {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((path) => /chat-core|bcrypt|jsonwebtoken|nodemailer|zod/.test(path))).toEqual([]);
    expect(inputs.some((path) => path.includes('socket.io-client'))).toBe(true);
    const code = result.outputFiles[0]?.text ?? '';
    expect(code).not.toMatch(/from\s*["']node:|require\(["'](node:)?(fs|net|http|crypto|events)["']\)/);
  });
});
