/**
 * Preloaded into every benchmarked server (`node --expose-gc --import <this>`), Parley's bin
 * included, so that CPU and memory are read the same way everywhere and inside the server itself:
 * `process.cpuUsage()` (all threads, so bcrypt's thread pool counts) and `process.memoryUsage()`
 * after forced full collections. It answers over the IPC channel the orchestrator opened, and
 * exits cleanly on request so that `--cpu-prof` can write its profile.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { ProbeReply, ProbeRequest } from '../lib/protocol.js';

const gc = (globalThis as { gc?: () => void }).gc;

function isProbeRequest(value: unknown): value is ProbeRequest {
  return typeof value === 'object' && value !== null && 'probe' in value;
}

let session: Session | null = null;

/**
 * Profiles only a measured window (`--profile`): start, then stop and write the .cpuprofile and,
 * beside it, a .heapprofile of what the window allocated (sampled every 16 KiB, objects the
 * collector has freed since included: it shows allocation, not retention).
 */
async function profile(action: 'start' | 'stop', file: string): Promise<void> {
  if (action === 'start') {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 16384,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    await session.post('Profiler.start');
    return;
  }
  if (!session) return;
  const { profile: result } = await session.post('Profiler.stop');
  const { profile: heap } = await session.post('HeapProfiler.stopSampling');
  session.disconnect();
  session = null;
  writeFileSync(file, JSON.stringify(result));
  writeFileSync(file.replace(/\.cpuprofile$/, '.heapprofile'), JSON.stringify(heap));
}

if (process.send) {
  process.on('message', (raw: unknown) => {
    if (!isProbeRequest(raw)) return;
    if (raw.probe === 'exit') {
      process.exit(0);
    }
    if (raw.probe === 'profile') {
      profile(raw.action, raw.file).then(
        () => process.send?.({ probe: 'profile', id: raw.id, ok: true }),
        (error: unknown) => process.send?.({ probe: 'profile', id: raw.id, ok: false, error: String(error) }),
      );
      return;
    }
    if (raw.gc && gc) {
      // Several passes: the first frees objects whose finalizers release more.
      for (let i = 0; i < 3; i++) gc();
    }
    const { user, system } = process.cpuUsage();
    const m = process.memoryUsage();
    const reply: ProbeReply = {
      probe: 'stats',
      id: raw.id,
      cpu: { user, system },
      memory: {
        rss: m.rss,
        heapUsed: m.heapUsed,
        heapTotal: m.heapTotal,
        external: m.external,
        arrayBuffers: m.arrayBuffers,
      },
    };
    process.send?.(reply);
  });
  // The orchestrator's death must not leave a server behind.
  process.on('disconnect', () => process.exit(0));
}
