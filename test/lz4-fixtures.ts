// Inputs for the LZ4 tests: what a block stream holds (fp16 vectors, clustered and
// standard normal, i8 codes, u64 ids), the format's edge cases (empty, shorter than 13
// bytes, long runs that need length extensions, overlapping matches), and random bytes.
// Deterministic: every input comes from a fixed seed.
import lz4 from 'lz4-napi';
import { f32ArrayToFp16 } from '../hub/data/fp16.ts';
import { generateClusteredData } from '../hub/data/generate.ts';
import { generateGaussianData } from '../hub/data/generate-gaussian.ts';
import { Prng } from '../hub/prng.ts';

export const LZ4_SEED = 17;

function bytesOf(halves: Uint16Array): Uint8Array {
  return new Uint8Array(halves.buffer, halves.byteOffset, halves.byteLength);
}

function randomBytes(prng: Prng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = prng.nextInt(0, 255);
  return out;
}

/** The ids a block stream with explicit ids ends with: count u64 little-endian. */
export function idBytes(first: number, count: number, step = 1): Uint8Array {
  const out = new Uint8Array(8 * count);
  const v = new DataView(out.buffer);
  for (let i = 0; i < count; i++) v.setBigUint64(8 * i, BigInt(first + i * step), true);
  return out;
}

export function lz4Corpus(): { name: string; data: Uint8Array }[] {
  const root = new Prng(LZ4_SEED);
  const clustered = generateClusteredData(root.derive('clustered'), { count: 42, dim: 384, clusters: 4, spread: 0.05, queryCount: 0 });
  const gaussian = generateGaussianData(root.derive('gaussian'), { count: 42, dim: 384, queryCount: 0 });
  const text = new TextEncoder().encode('the quick brown fox jumps over the lazy dog; '.repeat(40));
  const ramp = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff);
  const runs = Uint8Array.from({ length: 3000 }, (_, i) => (i < 1000 ? 0xaa : i < 1003 ? i & 0xff : 0x55));
  return [
    { name: 'empty', data: new Uint8Array(0) },
    { name: '1 byte', data: Uint8Array.of(42) },
    { name: '12 bytes (too short to hold a match)', data: new TextEncoder().encode('abcabcabcabc') },
    { name: '13 zero bytes (the shortest block with a match)', data: new Uint8Array(13) },
    { name: 'text', data: text },
    { name: '32 KB of zeros (length extensions, one overlapping match)', data: new Uint8Array(32 * 1024) },
    { name: 'byte runs (offset 1 overlapping matches)', data: runs },
    { name: 'ramp (period 256 matches)', data: ramp },
    { name: 'random bytes (incompressible)', data: randomBytes(root.derive('random'), 4096) },
    { name: 'fp16 clustered block (42 x 384)', data: bytesOf(f32ArrayToFp16(clustered.base)) },
    { name: 'fp16 standard normal block (42 x 384)', data: bytesOf(f32ArrayToFp16(gaussian.base)) },
    { name: 'i8 codes block (84 x 384)', data: Uint8Array.from(randomBytes(root.derive('i8'), 84 * 384), (b) => (b % 32) - 16 + 128) },
    { name: 'u64 ids (128)', data: idBytes(1_000_000, 128) },
  ];
}

/** lz4-napi's LZ4 block of `data` (its u32 size prefix removed), with `dict` before it when given. */
export function napiCompress(data: Uint8Array, dict?: Uint8Array): Uint8Array {
  const out = dict ? lz4.compressSync(Buffer.from(data), Buffer.from(dict)) : lz4.compressSync(Buffer.from(data));
  return new Uint8Array(out.subarray(4));
}

/** lz4-napi's decoding of an LZ4 block that decodes to `size` bytes. */
export function napiDecompress(block: Uint8Array, size: number, dict?: Uint8Array): Uint8Array {
  const framed = new Uint8Array(4 + block.length);
  new DataView(framed.buffer).setUint32(0, size, true);
  framed.set(block, 4);
  return new Uint8Array(dict ? lz4.uncompressSync(Buffer.from(framed), Buffer.from(dict)) : lz4.uncompressSync(Buffer.from(framed)));
}
