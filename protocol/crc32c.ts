// CRC32C (Castagnoli, reflected polynomial 0x82F63B78, init and final XOR 0xFFFFFFFF) for
// the host side: block and parameter streams, message seals, index fingerprints.
// "123456789" -> 0xE3069283, the same function as the kernel's rvf_crc32c (the tile's
// reference, tile/reference/crc32c.ts, is the plain byte loop; this is slice-by-8 because
// the hub seals every message and fingerprints whole data sets). This is the only host
// CRC32C: the HNSW index file uses it too. The tile reference stays separate on purpose,
// as an independent check of this one and of the kernel.

const POLY_REFLECTED = 0x82f63b78;
const TABLE_COUNT = 8;

const TABLES: Uint32Array = buildTables();

function buildTables(): Uint32Array {
  const tables = new Uint32Array(256 * TABLE_COUNT);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ POLY_REFLECTED : crc >>> 1;
    tables[byte] = crc >>> 0;
  }
  for (let byte = 0; byte < 256; byte++) {
    let crc = tables[byte]!;
    for (let t = 1; t < TABLE_COUNT; t++) {
      crc = (crc >>> 8) ^ tables[crc & 0xff]!;
      tables[t * 256 + byte] = crc >>> 0;
    }
  }
  return tables;
}

/**
 * Continue a CRC32C over `bytes`. Pass the previous return value as `crcSoFar` to
 * checksum data in pieces; omit it to start fresh.
 */
export function crc32cUpdate(bytes: Uint8Array, crcSoFar = 0): number {
  const t = TABLES;
  let crc = ~crcSoFar >>> 0;
  let i = 0;
  const end8 = bytes.length - (bytes.length % 8);
  for (; i < end8; i += 8) {
    const lo = (crc ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0;
    crc =
      t[7 * 256 + (lo & 0xff)]! ^
      t[6 * 256 + ((lo >>> 8) & 0xff)]! ^
      t[5 * 256 + ((lo >>> 16) & 0xff)]! ^
      t[4 * 256 + (lo >>> 24)]! ^
      t[3 * 256 + bytes[i + 4]!]! ^
      t[2 * 256 + bytes[i + 5]!]! ^
      t[1 * 256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < bytes.length; i++) crc = (crc >>> 8) ^ t[(crc ^ bytes[i]!) & 0xff]!;
  return ~crc >>> 0;
}

/** CRC32C over the byte ranges in order, as if they were one buffer. */
export function crc32c(...parts: Uint8Array[]): number {
  let crc = 0;
  for (const p of parts) crc = crc32cUpdate(p, crc);
  return crc;
}
