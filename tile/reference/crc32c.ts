// Reference CRC32C (Castagnoli): reflected polynomial 0x82F63B78, initial value and final
// XOR 0xFFFFFFFF. The kernel's rvf_crc32c must equal this bit for bit.
//
// Deliberately a second implementation: the host's CRC32C is protocol/crc32c.ts
// (slice-by-8, used for every stream, seal and fingerprint). This plain byte loop is the
// kernel's test reference and cross-checks the host one (test/kernel-crc32c.test.ts); it
// also builds the table the kernel must hold at @CRC_TABLE_PTR. Do not merge the two.

export const CRC32C_POLY_REFLECTED = 0x82f63b78;

const TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let b = 0; b < 8; b++) c = (c >>> 1) ^ (CRC32C_POLY_REFLECTED & -(c & 1));
    t[n] = c >>> 0;
  }
  return t;
})();

/** The 256-entry table the kernel builds at @CRC_TABLE_PTR. */
export function crc32cTable(): Uint32Array {
  return TABLE.slice();
}

/** Raw CRC state over bytes (no inversions), for chaining ranges. */
export function crc32cRun(state: number, bytes: Uint8Array): number {
  let c = state >>> 0;
  for (const b of bytes) c = (c >>> 8) ^ TABLE[(c ^ b) & 0xff]!;
  return c >>> 0;
}

/** CRC32C of bytes as an unsigned 32-bit number. */
export function crc32c(bytes: Uint8Array): number {
  return (crc32cRun(0xffffffff, bytes) ^ 0xffffffff) >>> 0;
}
