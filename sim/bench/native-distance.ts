// The same 384-dim L2 distance loop as the kernel, in C at -O3 (with -mavx2 -mf16c where
// the CPU has them), compiled with the system's `cc` when there is one: how far the tile's
// WebAssembly is from native code on this machine. Same query and block bytes as
// kernel-distance.ts (benchInputs); the program is written to a temp folder, built, run and
// removed. No cc: the figure is reported as missing, never guessed.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchInputs } from './kernel-distance.ts';

export interface NativeDistance {
  dtype: 'fp16' | 'i8';
  compiler: string;
  flags: string[];
  nsPerDistance: number;
}

const C_SOURCE = String.raw`
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#ifdef __F16C__
#include <immintrin.h>
#endif
#define DIM 384
static float half_to_float(uint16_t h) {
  uint32_t s = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff, f;
  if (e == 0) { if (m == 0) f = s; else { e = 113; while (!(m & 0x400)) { m <<= 1; e--; } m &= 0x3ff; f = s | (e << 23) | (m << 13); } }
  else if (e == 31) f = s | 0x7f800000 | (m << 13);
  else f = s | ((e + 112) << 23) | (m << 13);
  union { uint32_t u; float x; } c; c.u = f; return c.x;
}
static float l2_fp16(const uint16_t *q, const uint16_t *v) {
#ifdef __F16C__
  __m256 acc = _mm256_setzero_ps();
  for (int i = 0; i < DIM; i += 8) {
    __m256 d = _mm256_sub_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(q + i))), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(v + i))));
    acc = _mm256_add_ps(acc, _mm256_mul_ps(d, d));
  }
  float t[8]; _mm256_storeu_ps(t, acc);
  return ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]));
#else
  float acc = 0;
  for (int i = 0; i < DIM; i++) { float d = half_to_float(q[i]) - half_to_float(v[i]); acc += d * d; }
  return acc;
#endif
}
static int32_t l2_i8(const int8_t *q, const int8_t *v) {
  int32_t acc = 0;
  for (int i = 0; i < DIM; i++) { int32_t d = (int32_t)q[i] - (int32_t)v[i]; acc += d * d; }
  return acc;
}
int main(int argc, char **argv) {
  int i8 = argv[1][0] == 'i', n = atoi(argv[2]); long reps = atol(argv[3]);
  size_t elem = i8 ? 1 : 2, bytes = (size_t)(n + 1) * DIM * elem;
  uint8_t *buf = malloc(bytes);
  FILE *f = fopen(argv[4], "rb"); if (!f || fread(buf, 1, bytes, f) != bytes) return 2; fclose(f);
  /* CPU time, best of 5 timed passes after a warm-up: the same measure as kernel-distance.ts. */
  volatile float sink = 0; struct timespec a, b; double best = 1e300;
  for (int pass = 0; pass < 6; pass++) {
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    for (long r = 0; r < reps / 5 + 1; r++)
      for (int j = 0; j < n; j++)
        sink += i8 ? (float)l2_i8((const int8_t *)buf, (const int8_t *)(buf + (j + 1) * DIM)) : l2_fp16((const uint16_t *)buf, (const uint16_t *)(buf + (j + 1) * DIM * 2));
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    double ns = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / ((double)(reps / 5 + 1) * n);
    if (pass > 0 && ns < best) best = ns;
  }
  printf("%.3f\n", best);
  return sink == -1.0f;
}
`;

/** The CPU flags the build may use: -mavx2 -mf16c only where /proc/cpuinfo lists both. */
function cpuFlags(): string[] {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    return /\bavx2\b/.test(info) && /\bf16c\b/.test(info) ? ['-mavx2', '-mf16c'] : [];
  } catch {
    return [];
  }
}

/** ns per distance for fp16 and i8, or null when the system has no `cc`. */
export function runNativeDistanceBench(reps = 20_000): NativeDistance[] | null {
  if (spawnSync('cc', ['--version']).status !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'cogsim-native-'));
  try {
    const flags = ['-O3', ...cpuFlags()];
    writeFileSync(join(dir, 'l2.c'), C_SOURCE);
    execFileSync('cc', [...flags, '-o', join(dir, 'l2'), join(dir, 'l2.c')]);
    return (['fp16', 'i8'] as const).map((dtype) => {
      const { query, vectors } = benchInputs(dtype);
      writeFileSync(join(dir, `${dtype}.bin`), Buffer.concat([query, ...vectors]));
      const out = execFileSync(join(dir, 'l2'), [dtype, String(vectors.length), String(reps), join(dir, `${dtype}.bin`)], { encoding: 'utf8' });
      return { dtype, compiler: 'cc', flags, nsPerDistance: Number(out.trim()) };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('native-distance.ts')) console.log(runNativeDistanceBench());
