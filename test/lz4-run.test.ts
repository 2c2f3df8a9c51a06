// --lz4 end to end: the hub sends block streams as LZ4 chunks, chip tiles running the Hot
// image decode them, and the answers are identical to the plain run's. LZ4 is a Hot (chip)
// feature, so every --lz4 run here is on chips (2 chips of 2 tiles); a flat mesh refuses it.
// The link carries fewer LOAD_BLOCK bytes only where LZ4 finds something: the zero padding of
// dim 100 (stride 208 B) and explicit ids; fp16 of standard normal values at dim 384 does not
// shrink at all, so every chunk goes plain. The tiles pay for the decoding (LZ4 cycles, more
// I/O). An LZ4 chunk crosses the hub link whole: the chips serve none of its bytes.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP_SHARED_BYTES } from '../hub/chip/chip-memory.ts';
import type { RunConfig } from '../sim/run/run-config.ts';
import { cogsim } from './helpers/cli.ts';
import { runPush } from './helpers/push-run.ts';

/** 2 chips of 2 tiles; `flat` is the same 4 tiles without chips (plain push's comparison). */
const CHIPS: Partial<RunConfig> = { tiles: 4, chips: { chips: 2, tilesPerChip: 2, sharedBytes: DEFAULT_CHIP_SHARED_BYTES, cache: true } };
const FLAT: Partial<RunConfig> = { tiles: 4 };

describe('--lz4 runs', () => {
  it('push at dim 100: the same answers, fewer LOAD_BLOCK bytes, the decoding charged to the tiles', () => {
    const plain = runPush({ dim: 100, vectors: 300, ...FLAT });
    const lz4 = runPush({ dim: 100, vectors: 300, lz4: true, ...CHIPS });
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
    const plain = runPush({ dim: 384, vectors: 100, distribution: 'gaussian', ...FLAT });
    const lz4 = runPush({ dim: 384, vectors: 100, distribution: 'gaussian', lz4: true, ...CHIPS });
    expect(lz4.summary.answersHash).toBe(plain.summary.answersHash);
    const s = lz4.summary.lz4!;
    expect(s.lz4Chunks).toBe(0);
    expect(s.dataBytes).toBe(s.streamBytes);
    // The Hot image's 28 KB block region holds 37 of these vectors, not 42: more, smaller blocks.
    expect(lz4.sim.encoded.vectorsPerBlock).toBe(37);
    expect(plain.sim.encoded.vectorsPerBlock).toBe(42);
  });

  it('pull and push-hnsw on chips (explicit ids in every block): the same answers as the plain chips run, no chip-served bytes for LZ4 chunks', () => {
    for (const mode of ['pull', 'push-hnsw'] as const) {
      const plain = runPush({ mode, dim: 100, vectors: 150, queries: 4, ...CHIPS });
      const lz4 = runPush({ mode, dim: 100, vectors: 150, queries: 4, lz4: true, ...CHIPS });
      expect(lz4.summary.answersHash, mode).toBe(plain.summary.answersHash);
      expect(lz4.ids, mode).toEqual(plain.ids);
      expect(lz4.summary.kernel.image, mode).toMatch(/^hot-/);
      expect(lz4.summary.lz4!.lz4Chunks, mode).toBeGreaterThan(0);
      expect(lz4.summary.sentByType.LOAD_BLOCK!.bytes, mode).toBeLessThan(plain.summary.sentByType.LOAD_BLOCK!.bytes);
      // The plain chips run has the chips fill in vector bytes; an LZ4 chunk crosses the link whole.
      expect(plain.summary.chips!.hubLinkBytesSaved, mode).toBeGreaterThan(0);
      expect(lz4.summary.chips!.hubLinkBytesSaved, mode).toBe(0);
      expect(lz4.summary.chips!.hits + lz4.summary.chips!.misses, mode).toBe(0);
    }
  });

  it('the CLI runs --lz4 on chips and refuses it on a flat mesh or with --kernel-file, in one line', () => {
    const args = ['run', '--mode', 'pull', '--vectors', '200', '--dim', '16', '--queries', '2', '--lz4'];
    const chips = cogsim([...args, '--chips', '2', '--tiles-per-chip', '2']);
    expect(chips.stderr).toBe('');
    expect(chips.status).toBe(0);
    expect(chips.stdout).toMatch(/LZ4 block chunks/);
    const flat = cogsim(args);
    expect(flat.status).toBe(2);
    expect(flat.stderr.trim().split('\n')).toHaveLength(1);
    expect(flat.stderr).toMatch(/--lz4 .*Hot \(chip\) feature.*add --chips N/);
    const file = cogsim(['run', '--kernel-file', 'x.wasm', '--lz4', '--chips', '1', '--tiles-per-chip', '2', '--mode', 'pull', '--vectors', '60', '--dim', '16', '--queries', '2']);
    expect(file.status).toBe(2);
    expect(file.stderr).toMatch(/--lz4 .*--kernel-file/);
  });
});
