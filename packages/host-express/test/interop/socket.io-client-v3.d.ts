// socket.io-client 3 ships its types (build/index.d.ts), but its `exports` map has no `types`
// condition, so TypeScript's Bundler resolution cannot find them. The test needs only `io`.
declare module 'socket.io-client-v3' {
  export function io(uri: string, options?: Record<string, unknown>): unknown;
}
