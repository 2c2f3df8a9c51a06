// CRC32C (Castagnoli, reflected polynomial 0x82F63B78, init and final XOR 0xFFFFFFFF) for
// the host side: block and parameter streams, message seals, index fingerprints.
// "123456789" -> 0xE3069283, the same function as the kernel's rvf_crc32c (the tile's
// reference, tile/reference/crc32c.ts, is the plain byte loop; this is slice-by-16 over
// aligned 32-bit words, ~1.6-2x the byte-read slice-by-8 it replaced, because the hub
// checksums every block stream it encodes, seals messages and fingerprints whole data sets). This is the only host
// CRC32C: the HNSW index file uses it too. The tile reference stays separate on purpose,
// as an independent check of this one and of the kernel.

const POLY_REFLECTED = 0x82f63b78;
const TABLE_COUNT = 16;
/** Below this many bytes a word view is not worth its allocation: the byte loop runs. */
const WORD_LOOP_MIN_BYTES = 64;
/** The word loop reads 32-bit words in the machine's byte order, which must be little-endian. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

const TABLES: Int32Array = buildTables();

function buildTables(): Int32Array {
  const tables = new Int32Array(256 * TABLE_COUNT);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ POLY_REFLECTED : crc >>> 1;
    tables[byte] = crc;
  }
  for (let byte = 0; byte < 256; byte++) {
    let crc = tables[byte]!;
    for (let t = 1; t < TABLE_COUNT; t++) {
      crc = (crc >>> 8) ^ tables[crc & 0xff]!;
      tables[t * 256 + byte] = crc;
    }
  }
  return tables;
}

/**
 * Continue a CRC32C over `bytes` (its first `end` bytes: a sealed message's CRC covers all but
 * its trailer, and this reads them in place). Pass the previous return value as `crcSoFar` to
 * checksum data in pieces; omit it to start fresh.
 */
export function crc32cUpdate(bytes: Uint8Array, crcSoFar = 0, end = bytes.length): number {
  let crc = ~crcSoFar;
  let i = 0;
  if (end >= WORD_LOOP_MIN_BYTES && LITTLE_ENDIAN) {
    // Bytes up to a 4 B boundary of the buffer, then 16 B (four aligned words) a step.
    const head = (4 - (bytes.byteOffset & 3)) & 3;
    crc = byteLoop(bytes, 0, head, crc);
    const steps = (end - head) >>> 4;
    crc = wordLoop(new Int32Array(bytes.buffer, bytes.byteOffset + head, steps * 4), crc);
    i = head + steps * 16;
  }
  return ~byteLoop(bytes, i, end, crc) >>> 0;
}

// The two loops are functions of their own, not loops of crc32cUpdate: V8 compiles a long
// loop on the fly (on-stack replacement) and keeps that code for the function's later calls.
// With the byte loop in the same function, that code was compiled before any message had a
// tail after its words, had no type feedback for the tail, and left itself on every later
// call (308 deoptimizations in one default run, each call then running interpreted;
// docs/performance.md "Engine level"). Apart, each loop's code holds only its own loop.

/** `crc` (not inverted) over `bytes[from..to)`, one byte a step. */
function byteLoop(bytes: Uint8Array, from: number, to: number, crc: number): number {
  const t = TABLES;
  for (let i = from; i < to; i++) crc = (crc >>> 8) ^ t[(crc ^ bytes[i]!) & 0xff]!;
  return crc;
}

/** `crc` (not inverted) over the words of `w`, 16 B a step (its length is a multiple of 4). */
function wordLoop(w: Int32Array, crc: number): number {
  const t = TABLES;
  for (let j = 0; j < w.length; j += 4) {
    const a = crc ^ w[j]!;
    const b = w[j + 1]!;
    const c = w[j + 2]!;
    const d = w[j + 3]!;
    crc =
      t[15 * 256 + (a & 0xff)]! ^ t[14 * 256 + ((a >>> 8) & 0xff)]! ^ t[13 * 256 + ((a >>> 16) & 0xff)]! ^ t[12 * 256 + (a >>> 24)]! ^
      t[11 * 256 + (b & 0xff)]! ^ t[10 * 256 + ((b >>> 8) & 0xff)]! ^ t[9 * 256 + ((b >>> 16) & 0xff)]! ^ t[8 * 256 + (b >>> 24)]! ^
      t[7 * 256 + (c & 0xff)]! ^ t[6 * 256 + ((c >>> 8) & 0xff)]! ^ t[5 * 256 + ((c >>> 16) & 0xff)]! ^ t[4 * 256 + (c >>> 24)]! ^
      t[3 * 256 + (d & 0xff)]! ^ t[2 * 256 + ((d >>> 8) & 0xff)]! ^ t[256 + ((d >>> 16) & 0xff)]! ^ t[d >>> 24]!;
  }
  return crc;
}

/** CRC32C over the byte ranges in order, as if they were one buffer. */
export function crc32c(...parts: Uint8Array[]): number {
  let crc = 0;
  for (const p of parts) crc = crc32cUpdate(p, crc);
  return crc;
}
