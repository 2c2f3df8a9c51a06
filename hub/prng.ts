// Seeded deterministic PRNG: xoshiro128** over 32-bit integer math (no BigInt, no floats in
// the state), seeded through SplitMix32. One root Prng per run; every subsystem (mesh, data,
// faults, each tile) takes its own stream with `derive(label)`, so adding a draw in one
// subsystem never shifts the numbers another subsystem sees.
//
// Decisions use integers only (`nextInt`, `chance`); `nextFloat` and `gaussian` exist for
// generating data, never for choosing what the simulation does.
//
// It lives in hub/ (not sim/) because hub/data needs it and hub/ must not import sim/.

const TWO_POW_32 = 0x1_0000_0000;
const TWO_POW_53 = 2 ** 53;

/** Thrown when a Prng method is called with an argument outside its documented domain. */
export class PrngArgumentError extends RangeError {
  override name = 'PrngArgumentError';
}

/** SplitMix32 finaliser (Mulberry/Murmur-style avalanche): spreads any 32-bit input. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/** FNV-1a over the label's UTF-8 bytes, then avalanched with `salt` so each key word differs. */
function hashLabel(label: string, salt: number): number {
  const bytes = new TextEncoder().encode(label);
  let h = (0x811c9dc5 ^ mix32(salt)) >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  }
  return mix32(h ^ bytes.length);
}

/** Splits a safe non-negative integer seed into two 32-bit words without BigInt. */
function seedWords(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new PrngArgumentError(`prng seed must be a safe integer >= 0, got ${seed}`);
  }
  return [seed >>> 0, Math.floor(seed / TWO_POW_32) >>> 0];
}

export class Prng {
  /** The seed this stream was created from (root) or the root seed of its parent chain. */
  readonly seed: number;
  /** Slash-separated derivation path, e.g. "root/mesh/tile-3"; printed in reports. */
  readonly path: string;
  // 128-bit identity of the stream, independent of how many numbers have been drawn, so
  // `derive` gives the same child whenever it is called.
  private readonly key: readonly [number, number, number, number];
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareGaussian = 0;
  private hasSpareGaussian = false;

  constructor(seed: number, key?: readonly [number, number, number, number], path = 'root') {
    const [lo, hi] = seedWords(seed);
    this.seed = seed;
    this.path = path;
    this.key = key ?? [mix32(lo ^ 0x9e3779b9), mix32(hi ^ 0x85ebca6b), mix32(lo + 0x3c6ef372), mix32(hi + 0xa54ff53a)];
    this.initState();
  }

  /** SplitMix32 expansion of the key into a never-all-zero xoshiro state. */
  private initState(): void {
    let z = this.key[0] ^ this.key[1] ^ this.key[2] ^ this.key[3];
    const next = (k: number): number => {
      z = (z + 0x9e3779b9) | 0;
      return mix32(z ^ k);
    };
    this.s0 = next(this.key[0]);
    this.s1 = next(this.key[1]);
    this.s2 = next(this.key[2]);
    this.s3 = next(this.key[3]);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** An independent child stream named by `label`; same parent + label always gives the same child. */
  derive(label: string): Prng {
    const k = this.key;
    const childKey: [number, number, number, number] = [
      mix32(k[0] ^ hashLabel(label, 1)),
      mix32(k[1] ^ hashLabel(label, 2)),
      mix32(k[2] ^ hashLabel(label, 3)),
      mix32(k[3] ^ hashLabel(label, 4)),
    ];
    return new Prng(this.seed, childKey, `${this.path}/${label}`);
  }

  /** Uniform 32-bit unsigned integer (xoshiro128**). */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform integer in [minInclusive, maxInclusive], unbiased (rejection sampling). */
  nextInt(minInclusive: number, maxInclusive: number): number {
    if (!Number.isSafeInteger(minInclusive) || !Number.isSafeInteger(maxInclusive)) {
      throw new PrngArgumentError(`nextInt bounds must be safe integers, got ${minInclusive}..${maxInclusive}`);
    }
    if (minInclusive > maxInclusive) {
      throw new PrngArgumentError(`nextInt min ${minInclusive} is above max ${maxInclusive}`);
    }
    const range = maxInclusive - minInclusive + 1;
    if (range <= TWO_POW_32) return minInclusive + this.below32(range);
    if (range > TWO_POW_53) {
      throw new PrngArgumentError(`nextInt range ${minInclusive}..${maxInclusive} spans more than 2^53 values`);
    }
    return minInclusive + this.below53(range);
  }

  /** Uniform in [0, range) for 1 <= range <= 2^32: reject the short tail so every value is equally likely. */
  private below32(range: number): number {
    const limit = TWO_POW_32 - (TWO_POW_32 % range);
    let x = this.nextU32();
    while (x >= limit) x = this.nextU32();
    return x % range;
  }

  private below53(range: number): number {
    const limit = TWO_POW_53 - (TWO_POW_53 % range);
    let x = this.next53();
    while (x >= limit) x = this.next53();
    return x % range;
  }

  private next53(): number {
    const hi = this.nextU32() >>> 11; // 21 bits
    return hi * TWO_POW_32 + this.nextU32();
  }

  /** True with probability numerator/denominator (0 <= numerator <= denominator), decided in integers. */
  chance(numerator: number, denominator: number): boolean {
    if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator <= 0) {
      throw new PrngArgumentError(`chance needs integers with denominator > 0, got ${numerator}/${denominator}`);
    }
    if (numerator < 0 || numerator > denominator) {
      throw new PrngArgumentError(`chance numerator must be 0..${denominator}, got ${numerator}`);
    }
    // Always one draw, whatever the ratio: tuning a rate (even to 0 or 1) changes the
    // decisions but never shifts the numbers later calls on this stream see.
    return this.nextInt(0, denominator - 1) < numerator;
  }

  /** Uniform float in [0, 1) with 53 random bits. For data generation only. */
  nextFloat(): number {
    return this.next53() / TWO_POW_53;
  }

  /** Standard normal sample (Box-Muller, spare cached). For data generation only. */
  gaussian(): number {
    if (this.hasSpareGaussian) {
      this.hasSpareGaussian = false;
      return this.spareGaussian;
    }
    let u = this.nextFloat();
    while (u === 0) u = this.nextFloat(); // log(0) is -Infinity
    const v = this.nextFloat();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * v;
    this.spareGaussian = radius * Math.sin(angle);
    this.hasSpareGaussian = true;
    return radius * Math.cos(angle);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
