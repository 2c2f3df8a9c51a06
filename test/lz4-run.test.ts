// --lz4 end to end: the hub sends block streams as LZ4 chunks, tiles running the Hot image
// decode them, and the answers are identical to the plain run's. The link carries fewer
// LOAD_BLOCK bytes only where LZ4 finds something: the zero padding of dim 100 (stride 208 B)
// and explicit ids; fp16 of standard normal values at dim 384 does not shrink at all, so
// every chunk goes plain. The tiles pay for the decoding (LZ4 cycles, more I/O).
import { describe, expect, it } from 'vitest';
import { cogsim } from './helpers/cli.ts';
import { runPush } from './helpers/push-run.ts';

describe('--lz4 runs', () => {
  it('push at dim 100: the same answers, fewer LOAD_BLOCK bytes, the decoding charged to the tiles', () => {
    const plain = runPush({ dim: 100, vectors: 300 });
    const lz4 = runPush({ dim: 100, vectors: 300, lz4: true });
    expect(lz4.summary.answersHash).toBe(plain.summary.answersHash);
    expect(lz4.ids).toEqual(plain.ids);
    expect(lz4.summary.kernel.image).toMatch(/^hot-/);
    const s = lz4.summary.lz4!;
    expect(plain.summary.lz4).toBeUndefined();
    expect(s.lz4Chunks).toBeGreaterThan(0);
    // Every stream byte got there, in fewer bytes of chunk data; the message bytes show it.
    const plainBlocks = plain.summary.sentByType.LOAD_BLOCK!;
    const lz4Blocks = lz4.summary.sentByType.LOAD_BLOCK!;
    expect(s.streamBytes).toBe(plainBlocks.bytes - plainBlocks.messages * 32);
    expect(s.dataBytes).toBeLessThan(s.streamBytes);
    expect(lz4Blocks.bytes).toBe(s.dataBytes + lz4Blocks.messages * 32);
    expect(lz4Blocks.bytes).toBeLessThan(plainBlocks.bytes);
    expect(lz4.summary.tileWork.cycles.lz4).toBeGreaterThan(0);
    expect(lz4.summary.tileWork.cycles.io).toBeGreaterThan(plain.summary.tileWork.cycles.io);
  });

  it('push on standard normal fp16 at dim 384: nothing shrinks, every chunk goes plain', () => {
    const plain = runPush({ dim: 384, vectors: 100, distribution: 'gaussian' });
    const lz4 = runPush({ dim: 384, vectors: 100, distribution: 'gaussian', lz4: true });
    expect(lz4.summary.answersHash).toBe(plain.summary.answersHash);
    const s = lz4.summary.lz4!;
    expect(s.lz4Chunks).toBe(0);
    expect(s.dataBytes).toBe(s.streamBytes);
    // The Hot image's 28 KB block region holds 37 of these vectors, not 42: more, smaller blocks.
    expect(lz4.sim.encoded.vectorsPerBlock).toBe(37);
    expect(plain.sim.encoded.vectorsPerBlock).toBe(42);
  });

  it('pull and push-hnsw (explicit ids in every block): the same answers with LZ4 chunks', () => {
    for (const mode of ['pull', 'push-hnsw'] as const) {
      const plain = runPush({ mode, dim: 100, vectors: 150, queries: 4 });
      const lz4 = runPush({ mode, dim: 100, vectors: 150, queries: 4, lz4: true });
      expect(lz4.summary.answersHash, mode).toBe(plain.summary.answersHash);
      expect(lz4.summary.lz4!.lz4Chunks, mode).toBeGreaterThan(0);
      expect(lz4.summary.sentByType.LOAD_BLOCK!.bytes, mode).toBeLessThan(plain.summary.sentByType.LOAD_BLOCK!.bytes);
    }
  });

  it('the CLI refuses --lz4 with --chips or --kernel-file, naming both', () => {
    const chips = cogsim(['run', '--mode', 'pull', '--chips', '2', '--tiles-per-chip', '2', '--vectors', '200', '--dim', '16', '--queries', '2', '--lz4']);
    expect(chips.status).toBe(2);
    expect(chips.stderr).toMatch(/--lz4 .*--chips/);
    const file = cogsim(['run', '--kernel-file', 'x.wasm', '--lz4', '--vectors', '60', '--dim', '16', '--queries', '2']);
    expect(file.status).toBe(2);
    expect(file.stderr).toMatch(/--lz4 .*--kernel-file/);
  });
});
