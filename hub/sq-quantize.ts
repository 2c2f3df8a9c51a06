// Per-dimension scalar quantization to i8 codes, in the form the tile dequantizes
// (tile/reference/sq.ts): x ~ min + scale * (code + 128), code in -128..127.

export interface SqParams {
  dim: number;
  min: Float32Array;
  scale: Float32Array;
  /** dim (min, scale) pairs: the LOAD_PARAMS stream and rvf_load_sq_params's layout. */
  interleaved: Float32Array;
}

export function fitSqParams(base: Float32Array, dim: number): SqParams {
  const min = new Float32Array(dim).fill(Infinity);
  const max = new Float32Array(dim).fill(-Infinity);
  for (let i = 0; i < base.length; i += dim) {
    for (let d = 0; d < dim; d++) {
      const x = base[i + d]!;
      if (x < min[d]!) min[d] = x;
      if (x > max[d]!) max[d] = x;
    }
  }
  const scale = new Float32Array(dim);
  const interleaved = new Float32Array(2 * dim);
  for (let d = 0; d < dim; d++) {
    if (!Number.isFinite(min[d]!)) min[d] = 0;
    // A constant dimension gets scale 0: every code decodes to its min exactly.
    scale[d] = max[d]! > min[d]! ? (max[d]! - min[d]!) / 255 : 0;
    interleaved[2 * d] = min[d]!;
    interleaved[2 * d + 1] = scale[d]!;
  }
  return { dim, min, scale, interleaved };
}

export function quantizeSq(base: Float32Array, dim: number, p: SqParams): Int8Array {
  const codes = new Int8Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const d = i % dim;
    const s = p.scale[d]!;
    const q = s > 0 ? Math.round((base[i]! - p.min[d]!) / s) : 0;
    codes[i] = Math.max(0, Math.min(255, q)) - 128;
  }
  return codes;
}

export function sqParamsBytes(p: SqParams): Uint8Array {
  return new Uint8Array(p.interleaved.buffer, p.interleaved.byteOffset, p.interleaved.byteLength);
}
