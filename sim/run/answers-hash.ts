// answersHash: what a run answered, and to what, with nothing about how. SHA-256 over the
// dataset's content hash, the queries' content hash and every query's answer (ids and the
// f32 distance bits, in rank order). No kernel identity, no timing, no config beyond what
// the answers themselves show: two conformant kernels (simd, scalar, a user's) give the
// same answersHash on the same run while their trace hashes differ (docs/determinism.md).
import { createHash } from 'node:crypto';
import type { Candidate } from '../../hub/topk-merge.ts';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** `answers[q]`: query q's top-k, nearest first (an unanswered query is an empty list). */
export function answersHash(datasetSha256: string, queriesSha256: string, answers: readonly (readonly Candidate[])[]): string {
  const h = createHash('sha256');
  h.update(`cogsim-answers v1\ndataset ${datasetSha256}\nqueries ${queriesSha256}\ncount ${answers.length}\n`);
  for (const best of answers) {
    // Little-endian whatever the machine: the hash must be the same everywhere.
    const row = new DataView(new ArrayBuffer(4 + 8 * best.length));
    row.setUint32(0, best.length, true);
    best.forEach((c, i) => {
      f32[0] = c.dist;
      row.setUint32(4 + 8 * i, c.id, true);
      row.setUint32(8 + 8 * i, u32[0]!, true);
    });
    h.update(new Uint8Array(row.buffer));
  }
  return h.digest('hex');
}
