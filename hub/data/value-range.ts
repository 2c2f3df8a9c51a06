// Which values a run can carry. Every vector reaches a tile as fp16 (--dtype i8 travels
// as SQ codes, but the tile dequantizes them to fp16 and compares those), and every query
// is encoded as fp16, so a value is usable when it is finite and |x| <= 65,504, the
// largest finite fp16. Beyond it fp16 rounds to Infinity and every distance to that
// vector becomes Infinity or NaN; the run would still print a confident recall.

/** The largest finite fp16 value: 65,504 = (2 - 2^-10) * 2^15. */
export const FP16_MAX = 65_504;

export interface BadValue {
  /** Row (vector) and column (dimension), counting from 0. */
  row: number;
  column: number;
  value: number;
  /** 'NaN', 'Infinity' or 'beyond fp16'. */
  problem: 'NaN' | 'Infinity' | 'beyond fp16';
}

/** The first value of a row-major matrix a tile cannot carry, or null when all fit. */
export function findUncarriedValue(data: Float32Array, dim: number): BadValue | null {
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    // One compare in the common case: NaN fails both sides, so it falls through too.
    if (x >= -FP16_MAX && x <= FP16_MAX) continue;
    const problem = Number.isNaN(x) ? 'NaN' : Number.isFinite(x) ? 'beyond fp16' : 'Infinity';
    return { row: Math.floor(i / dim), column: i % dim, value: x, problem };
  }
  return null;
}
