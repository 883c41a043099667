/** What the figures were measured on, recorded with every run. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  v8: string;
  os: string;
  /** 1, 5 and 15 minute load averages when the run started: other work on the box shows here. */
  loadAverage: number[];
  /** Native add-ons every layer shares (the same node_modules for all three). */
  nativeAddons: { bufferutil: boolean; utf8Validate: boolean; bcrypt: string };
}

function resolvable(name: string, from: string): boolean {
  try {
    createRequire(from).resolve(name);
    return true;
  } catch {
    return false;
  }
}

export function machineInfo(): MachineInfo {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) cpuModel = line.split(':')[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux: os.cpus() it is
  }
  const req = createRequire(import.meta.url);
  // ws loads bufferutil/utf-8-validate from its own location when they are installed.
  const wsEntry = req.resolve('ws');
  let bcrypt = 'missing';
  try {
    bcrypt = (req('bcrypt/package.json') as { version: string }).version;
  } catch {
    // reported as missing
  }
  return {
    nproc: os.availableParallelism(),
    cpuModel,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map((v) => Math.round(v * 100) / 100),
    nativeAddons: {
      bufferutil: resolvable('bufferutil', wsEntry),
      utf8Validate: resolvable('utf-8-validate', wsEntry),
      bcrypt,
    },
  };
}
