// Acceptance: answers out in ANN-benchmark files, recall against a ground truth made by
// another tool. The ground truth here is the test's own float64 brute force (ties by lower
// id), over data whose values are exact in fp16, with duplicate vectors so ties happen.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFvecs, parseIvecs, writeFvecs, writeIvecs } from '../hub/data/fvecs.ts';
import { cogsim } from './helpers/cli.ts';
import { xorshift32 } from './helpers/xorshift.ts';
import { tempDirs } from './helpers/temp-dir.ts';

const dir = tempDirs('cogsim-ann-')();

const DIM = 16;
const BASE = 400;
const QUERIES = 12;
const K = 10;

/** Multiples of 1/4 in [-4, 4]: exact in fp16, and their squared distances exact in f32. */
function fp16ExactVectors(count: number, seed: number): Float32Array {
  const next = xorshift32(seed);
  return Float32Array.from({ length: count * DIM }, () => ((next() % 33) - 16) / 4);
}

/** Plain float64 brute force, squared L2, ties by lower id: the "other tool". */
function bruteForce(base: Float32Array, queries: Float32Array, k: number): { ids: Int32Array; dists: Float64Array } {
  const nq = queries.length / DIM;
  const ids = new Int32Array(nq * k);
  const dists = new Float64Array(nq * k);
  for (let q = 0; q < nq; q++) {
    const all: { id: number; d: number }[] = [];
    for (let b = 0; b < base.length / DIM; b++) {
      let d = 0;
      for (let i = 0; i < DIM; i++) d += (queries[q * DIM + i]! - base[b * DIM + i]!) ** 2;
      all.push({ id: b, d });
    }
    all.sort((x, y) => x.d - y.d || x.id - y.id);
    all.slice(0, k).forEach((c, i) => {
      ids[q * k + i] = c.id;
      dists[q * k + i] = c.d;
    });
  }
  return { ids, dists };
}

const base = fp16ExactVectors(BASE, 7);
// Duplicates: equal distances that only the tie rule (lower id first) can order.
for (const [from, to] of [[3, 250], [3, 399], [40, 41], [100, 300]] as const) base.copyWithin(to * DIM, from * DIM, (from + 1) * DIM);
const queries = fp16ExactVectors(QUERIES, 99);
// Some queries sit right on a duplicated vector, so the tie is inside their top-k.
queries.set(base.subarray(3 * DIM, 4 * DIM), 0);
queries.set(base.subarray(40 * DIM, 41 * DIM), DIM);
const truth = bruteForce(base, queries, K);
const paths = { base: join(dir, 'base.fvecs'), query: join(dir, 'query.fvecs'), gt: join(dir, 'gt.ivecs') };
writeFileSync(paths.base, writeFvecs(base, DIM));
writeFileSync(paths.query, writeFvecs(queries, DIM));
writeFileSync(paths.gt, writeIvecs(truth.ids, K));
const dataArgs = ['run', '--data', paths.base, '--query-file', paths.query, '--tiles', '4', '--k', String(K)];

describe('cogsim run --out / --out-distances / --groundtruth', () => {
  it('push mode reports recall@10 = 1.0 against an independent ground truth and writes its ids, ties by lower id', () => {
    const out = join(dir, 'r.ivecs');
    const outD = join(dir, 'r.fvecs');
    const r = cogsim([...dataArgs, '--groundtruth', paths.gt, '--out', out, '--out-distances', outD, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout) as { recallAtK: number; groundTruthFile: { recallAtK: number; rows: number; idsPerRow: number } };
    expect(summary.groundTruthFile.recallAtK).toBe(1);
    expect(summary.groundTruthFile).toMatchObject({ rows: QUERIES, idsPerRow: K });
    const ids = parseIvecs(readFileSync(out), 'r.ivecs');
    expect(ids.count).toBe(QUERIES);
    expect(ids.dim).toBe(K);
    expect(Array.from(ids.data)).toEqual(Array.from(truth.ids));
    // The tie really was in play: query 0 sits on vector 3 and its copies 250 and 399.
    expect(Array.from(ids.data.subarray(0, 3))).toEqual([3, 250, 399]);
    const d = parseFvecs(readFileSync(outD), 'r.fvecs');
    expect(d.count).toBe(QUERIES);
    expect(Array.from(d.data)).toEqual(Array.from(truth.dists)); // exact: fp16-exact data, exact f32 sums
  });

  it('cogsim faults writes the run with faults\' answers, equal to the ground truth, and scores them', () => {
    const out = join(dir, 'faults.ivecs');
    const r = cogsim(['faults', ...dataArgs.slice(1), '--rate', '0.02', '--groundtruth', paths.gt, '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`recall@10 of the run with faults against ${paths.gt}: 1.0000`);
    expect(Array.from(parseIvecs(readFileSync(out), 'faults.ivecs').data)).toEqual(Array.from(truth.ids));
    const bad = cogsim(['faults', ...dataArgs.slice(1), '--vectors', '200', '--groundtruth', paths.gt]);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe(''); // refused before either run
  });

  it('prints the user recall beside the built-in one in the text summary', () => {
    const r = cogsim([...dataArgs, '--groundtruth', paths.gt]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/recall@10\s+1\.0000 \(against exact search/);
    expect(r.stdout).toContain(`recall@10              1.0000 (against ${paths.gt}, 12 x 10)`);
  });

  it('measures a ground truth that disagrees: recall below 1 when one id per row is wrong', () => {
    const wrong = Int32Array.from(truth.ids);
    for (let q = 0; q < QUERIES; q++) wrong[q * K + K - 1] = 399 - (q % 3) === truth.ids[q * K + K - 1] ? 398 : 399 - (q % 3);
    const path = join(dir, 'wrong.ivecs');
    writeFileSync(path, writeIvecs(wrong, K));
    const r = cogsim([...dataArgs, '--groundtruth', path, '--json']);
    const s = JSON.parse(r.stdout) as { groundTruthFile: { recallAtK: number } };
    let hits = 0;
    for (let q = 0; q < QUERIES; q++) {
      const t = new Set(wrong.subarray(q * K, (q + 1) * K));
      for (const id of truth.ids.subarray(q * K, (q + 1) * K)) if (t.has(id)) hits++;
    }
    expect(s.groundTruthFile.recallAtK).toBe(hits / (QUERIES * K));
    expect(s.groundTruthFile.recallAtK).toBeLessThan(1);
  });

  it('refuses a ground truth with fewer rows than queries, or fewer ids than k, in one line', () => {
    const short = join(dir, 'short.ivecs');
    writeFileSync(short, writeIvecs(truth.ids.subarray(0, (QUERIES - 1) * K), K));
    const r1 = cogsim([...dataArgs, '--groundtruth', short]);
    expect(r1.status).toBe(2);
    expect(r1.stderr.trim()).toBe(`cogsim: --groundtruth ${short} has 11 rows, the run answers 12 queries (one row per query, in query order)`);
    const narrow = join(dir, 'narrow.ivecs');
    writeFileSync(narrow, writeIvecs(Int32Array.from({ length: QUERIES * 5 }, (_, i) => i % BASE), 5));
    const r2 = cogsim([...dataArgs, '--groundtruth', narrow]);
    expect(r2.status).toBe(2);
    expect(r2.stderr.trim()).toBe(`cogsim: --groundtruth ${narrow} has 5 ids per row, recall@10 needs at least --k 10`);
    // At the limit: exactly k ids per row and exactly one row per query is accepted.
    expect(cogsim([...dataArgs, '--groundtruth', paths.gt]).status).toBe(0);
  });

  it('refuses a ground truth id beyond the base vectors the run searched', () => {
    const r = cogsim([...dataArgs, '--vectors', '200', '--groundtruth', paths.gt]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^cogsim: --groundtruth .*gt\.ivecs: row 0 column 1 holds id 250, the run searched 200 base vectors/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('never writes over an input, and leaves the input untouched', () => {
    const before = readFileSync(paths.gt);
    const r = cogsim([...dataArgs, '--groundtruth', paths.gt, '--out', paths.gt]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`cogsim: --out ${paths.gt} is the same file as --groundtruth ${paths.gt}; an output never overwrites an input or a key, choose another path`);
    expect(readFileSync(paths.gt)).toEqual(before);
    const r2 = cogsim([...dataArgs, '--out-distances', join(dir, '.', 'query.fvecs')]);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toContain('is the same file as --query-file');
  });

  it('refuses outputs with --compare, and --trace-format chrome without --trace, in one line', () => {
    const r = cogsim([...dataArgs, '--compare', '--out', join(dir, 'c.ivecs')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('cogsim: --out cannot be used with --compare (it runs several modes); run each mode on its own');
    const r2 = cogsim([...dataArgs, '--trace-format', 'chrome']);
    expect(r2.status).toBe(2);
    expect(r2.stderr.trim()).toBe('cogsim: --trace-format chrome needs --trace FILE: the file to write the Chrome trace to');
  });

  it('refuses the wrong file type for --out and two outputs on one path', () => {
    expect(cogsim([...dataArgs, '--out', join(dir, 'r.txt')]).stderr.trim()).toBe(`cogsim: --out ${join(dir, 'r.txt')}: expected a .ivecs file`);
    const same = join(dir, 'same.ivecs');
    const r = cogsim([...dataArgs, '--out', same, '--report', same]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`cogsim: --report ${same} is also the file of --out; give each output its own file`);
  });
});
