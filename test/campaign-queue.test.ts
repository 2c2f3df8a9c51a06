// Campaigns over a BullMQ queue against a real redis-server (Debian's package; .ci/run
// installs it), started here on a free loopback port and stopped afterwards.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOnPool } from '../sim/campaign/pool.ts';
import { runOnQueue, startQueueWorker } from '../sim/campaign/queue.ts';
import type { RunRow } from '../sim/campaign/run-task.ts';
import { expandSweep } from '../sim/campaign/sweep.ts';
import { FAULT_KINDS } from '../sim/faults/fault-kinds.ts';
import { DEFAULT_RUN } from '../sim/run/run-config.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const SWEEP = ['--seeds', '1..2', '--rates', '0.1', '--schedules', 'query,block', '--tiles', '4', '--vectors', '300', '--dim', '16', '--queries', '5', '--clusters', '8'];
const tiny = { ...DEFAULT_RUN, tiles: 4, meshRows: 2, meshCols: 2, vectors: 300, dim: 16, queries: 5, clusters: 8 };

let redis: ChildProcess | undefined;
let url = '';
const dir = mkdtempSync(join(tmpdir(), 'cogsim-queue-'));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

beforeAll(async () => {
  const has = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (has.error) throw new Error('redis-server is not installed: apt-get install -y redis-server (.ci/run does this)');
  const port = await freePort();
  url = `redis://127.0.0.1:${port}`;
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  // Ready when it says so (its log goes to stdout).
  await new Promise<void>((resolve, reject) => {
    let log = '';
    redis!.stdout!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('Ready to accept connections')) resolve();
    });
    redis!.on('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${log}`)));
  });
  const client = new Redis(url);
  expect(await client.ping()).toBe('PONG');
  client.disconnect();
});

afterAll(() => {
  redis?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

const hashes = (rows: RunRow[]) => rows.map((r) => r.traceHash);
/** The local pool's rows for the sweep, from the first test. */
let localRows: RunRow[] = [];

describe('campaigns on a Redis queue', () => {
  it('give the same rows as the local pool, with two workers taking the runs', async () => {
    const { tasks } = expandSweep(tiny, { seeds: [1, 2], rates: ['0.1'], kindSets: [[...FAULT_KINDS]], modes: ['push'], schedules: ['query', 'block'], dtypes: ['fp16'] });
    const workers = [await startQueueWorker(url, 1), await startQueueWorker(url, 1)];
    try {
      const queued = await runOnQueue(url, tasks);
      const local = await runOnPool(tasks, 1);
      localRows = local.map((r) => r.row);
      expect(queued.map((r) => r.row)).toEqual(localRows);
      expect(new Set(hashes(queued.map((r) => r.row))).size).toBe(4);
    } finally {
      for (const w of workers) await w.close();
    }
  });

  it('runs `cogsim campaign --queue` with a `cogsim worker` process, and writes the local pool\'s rows', { timeout: 300_000 }, async () => {
    const worker = spawn(process.execPath, [join(ROOT, 'sim/cli/cogsim.js'), 'worker', '--queue', url, '--threads', '1'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const code = await new Promise<number | null>((resolve) => {
        const p = spawn(process.execPath, [join(ROOT, 'sim/cli/cogsim.js'), 'campaign', ...SWEEP, '--out', join(dir, 'queued'), '--queue', url], { cwd: ROOT, stdio: 'ignore' });
        p.on('exit', (c) => resolve(c));
      });
      expect(code).toBe(0);
      const rows = (JSON.parse(readFileSync(join(dir, 'queued', 'campaign.json'), 'utf8')) as { runs: RunRow[] }).runs;
      expect(localRows.length).toBe(4);
      expect(rows).toEqual(localRows);
      expect(readFileSync(join(dir, 'queued', 'campaign.csv'), 'utf8').trim().split('\n').length).toBe(5);
    } finally {
      worker.kill('SIGTERM');
    }
  });

  it('refuses a queue that is not redis://host:port in one line, exit 2', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'sim/cli/cogsim.js'), 'campaign', ...SWEEP, '--queue', 'http://x', '--out', join(dir, 'bad')], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("cogsim: --queue 'http://x' must be redis://host:port");
  });
});
