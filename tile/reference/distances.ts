// Reference distances (docs/memory-map.md "Distances"). Every distance is "smaller is
// better": L2 = sum (q-v)^2, IP = -dot, cosine = 1 - dot/(sqrt(qq) sqrt(vv)) (1 when qq
// or vv is 0), hamming = popcount(q xor v).
//
// Two functions, two jobs:
//  - `referenceDistance` is the obviously-correct definition: plain loops in f64 over the
//    unpadded elements, the textbook fp16 decoder. Tests compare the kernel against it
//    exactly on integer metrics (i8 L2/IP, hamming) and within FLOAT_METRIC_TOLERANCE on
//    float metrics (fp16, and cosine on i8).
//  - `kernelOrderDistanceBits` emulates the kernel's f32 arithmetic in its lane order
//    (8 lane accumulators, s_j = a_j + a_{j+4}, (s0+s1)+(s2+s3), no FMA) and predicts
//    the kernel's result bits exactly, NaN folded to CANONICAL_NAN_BITS.
import { CANONICAL_NAN_BITS, DTYPE_BITS, DTYPE_FP16, DTYPE_I8, LANE_ELEMS, METRIC_COSINE, METRIC_HAMMING, METRIC_IP, METRIC_L2 } from '../../wat/layout.ts';
import { f32Bits, f32FromBits, fp16BitsToF32Bits, fp16ToNumber } from './fp16.ts';
import { paddedElements, rawVectorBytes, type Dtype } from './vector-layout.ts';

/**
 * How far a float-metric kernel distance may sit from the f64 reference:
 * |kernel - reference| <= relative * scale + absolute, where scale is sum (q-v)^2 for L2,
 * sum |q v| for IP and 1 for cosine. A lane of the kernel's sum adds at most 48 terms
 * (384 dims / 8 lanes) then 3 more additions, so its f32 error is below 51 * 2^-24
 * (3.1e-6) of the scale; 1e-5 leaves a 3x margin. Integer metrics (i8 L2/IP, hamming)
 * must match exactly; cosine (also on i8) goes through sqrt and a division in f32.
 */
export const FLOAT_METRIC_TOLERANCE = { relative: 1e-5, absolute: 1e-6 } as const;

export class MetricError extends RangeError {
  override name = 'MetricError';
}

/** Whether the kernel supports the metric for the dtype. */
export function metricSupported(dtype: Dtype, metric: number): boolean {
  return dtype === DTYPE_BITS ? metric === METRIC_HAMMING : metric === METRIC_L2 || metric === METRIC_IP || metric === METRIC_COSINE;
}

/** Element values of a raw vector (fp16 and i8; binary codes are their bytes). */
export function decodeElements(dtype: Dtype, raw: Uint8Array, dim: number): number[] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: number[] = [];
  if (dtype === DTYPE_FP16) for (let i = 0; i < dim; i++) out.push(fp16ToNumber(view.getUint16(i * 2, true)));
  else if (dtype === DTYPE_I8) for (let i = 0; i < dim; i++) out.push(view.getInt8(i));
  else for (let i = 0; i < rawVectorBytes(dtype, dim); i++) out.push(raw[i]!);
  return out;
}

function popcount8(x: number): number {
  let n = 0;
  for (let b = x & 0xff; b; b >>= 1) n += b & 1;
  return n;
}

/** The f64 reference; `scale` is what FLOAT_METRIC_TOLERANCE.relative multiplies. */
export function referenceDistance(dtype: Dtype, metric: number, query: Uint8Array, vector: Uint8Array, dim: number): { distance: number; scale: number } {
  if (!metricSupported(dtype, metric)) throw new MetricError(`metric ${metric} is not defined for dtype ${dtype}`);
  const q = decodeElements(dtype, query, dim);
  const v = decodeElements(dtype, vector, dim);
  if (metric === METRIC_HAMMING) {
    let bits = 0;
    for (let i = 0; i < q.length; i++) bits += popcount8(q[i]! ^ v[i]!);
    return { distance: bits, scale: 0 };
  }
  let l2 = 0;
  let dot = 0;
  let absDot = 0;
  let qq = 0;
  let vv = 0;
  for (let i = 0; i < dim; i++) {
    const d = q[i]! - v[i]!;
    l2 += d * d;
    dot += q[i]! * v[i]!;
    absDot += Math.abs(q[i]! * v[i]!);
    qq += q[i]! * q[i]!;
    vv += v[i]! * v[i]!;
  }
  if (metric === METRIC_L2) return { distance: l2, scale: l2 };
  if (metric === METRIC_IP) return { distance: -dot, scale: absDot };
  if (qq === 0 || vv === 0) return { distance: 1, scale: 1 };
  return { distance: 1 - dot / (Math.sqrt(qq) * Math.sqrt(vv)), scale: 1 };
}

/** i8 L2/IP and hamming are exact integer sums; everything else goes through f32 arithmetic. */
export function isIntegerMetric(dtype: Dtype, metric: number): boolean {
  return dtype === DTYPE_BITS || (dtype === DTYPE_I8 && metric !== METRIC_COSINE);
}

/** Whether a kernel result (f32 bits) agrees with the reference (exact or within tolerance). */
export function agreesWithReference(dtype: Dtype, metric: number, kernelBits: number, ref: { distance: number; scale: number }): boolean {
  const k = f32FromBits(kernelBits);
  if (Number.isNaN(ref.distance)) return kernelBits >>> 0 === CANONICAL_NAN_BITS;
  if (isIntegerMetric(dtype, metric)) return kernelBits >>> 0 === f32Bits(ref.distance);
  if (!Number.isFinite(ref.distance) || !Number.isFinite(k)) return k === ref.distance;
  return Math.abs(k - ref.distance) <= FLOAT_METRIC_TOLERANCE.relative * ref.scale + FLOAT_METRIC_TOLERANCE.absolute;
}

const fr = Math.fround;

/** Lane-order f32 sum of term(q_i, v_i) over `padded` elements (the kernel's float order). */
function laneOrderSum(q: Float32Array, v: Float32Array, term: (x: number, y: number) => number): number {
  const a = new Array<number>(LANE_ELEMS).fill(0);
  for (let i = 0; i < q.length; i++) a[i % LANE_ELEMS] = fr(a[i % LANE_ELEMS]! + term(q[i]!, v[i]!));
  const s = [0, 1, 2, 3].map((j) => fr(a[j]! + a[j + 4]!));
  return fr(fr(s[0]! + s[1]!) + fr(s[2]! + s[3]!));
}

/** Padded f32 elements of a raw vector, as the kernel sees them (fp16 via its own decoder). */
function kernelElements(dtype: Dtype, raw: Uint8Array, dim: number): Float32Array {
  const out = new Float32Array(paddedElements(dtype, dim));
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  for (let i = 0; i < dim; i++) {
    out[i] = dtype === DTYPE_FP16 ? f32FromBits(fp16BitsToF32Bits(view.getUint16(i * 2, true))) : view.getInt8(i);
  }
  return out;
}

/** The kernel's distance, bit for bit (NaN folded to CANONICAL_NAN_BITS). */
export function kernelOrderDistanceBits(dtype: Dtype, metric: number, query: Uint8Array, vector: Uint8Array, dim: number): number {
  if (!metricSupported(dtype, metric)) throw new MetricError(`metric ${metric} is not defined for dtype ${dtype}`);
  let d: number;
  if (dtype === DTYPE_BITS) {
    let bits = 0;
    for (let i = 0; i < rawVectorBytes(dtype, dim); i++) bits += popcount8(query[i]! ^ vector[i]!);
    d = fr(bits);
  } else {
    const q = kernelElements(dtype, query, dim);
    const v = kernelElements(dtype, vector, dim);
    // i8 sums are exact integers in the kernel (then f32.convert_i32_s); the same terms
    // summed in f64 here are exact too, and fround is that conversion.
    const sum = dtype === DTYPE_I8
      ? (term: (x: number, y: number) => number) => fr(q.reduce((acc, x, i) => acc + term(x, v[i]!), 0))
      : (term: (x: number, y: number) => number) => laneOrderSum(q, v, term);
    const exact = dtype === DTYPE_I8;
    const l2Term = exact ? (x: number, y: number) => (x - y) * (x - y) : (x: number, y: number) => fr(fr(fr(x - y) * fr(x - y)));
    const dotTerm = exact ? (x: number, y: number) => x * y : (x: number, y: number) => fr(x * y);
    const vvTerm = exact ? (_x: number, y: number) => y * y : (_x: number, y: number) => fr(y * y);
    if (metric === METRIC_L2) d = sum(l2Term);
    else if (metric === METRIC_IP) d = -sum(dotTerm);
    else {
      const qn = fr(Math.sqrt(sum((x) => (exact ? x * x : fr(x * x)))));
      const dot = sum(dotTerm);
      const vv = sum(vvTerm);
      d = qn === 0 || vv === 0 ? 1 : fr(1 - fr(dot / fr(qn * fr(Math.sqrt(vv)))));
    }
  }
  return Number.isNaN(d) ? CANONICAL_NAN_BITS : f32Bits(d);
}

/** kernelOrderDistanceBits as a number. */
export function kernelOrderDistance(dtype: Dtype, metric: number, query: Uint8Array, vector: Uint8Array, dim: number): number {
  return f32FromBits(kernelOrderDistanceBits(dtype, metric, query, vector, dim));
}
