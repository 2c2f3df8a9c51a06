// The index's CRC32C is the host-side one (protocol/crc32c.ts): one implementation for
// fingerprints, block streams and message seals.
export { crc32cUpdate as crc32c } from '../../protocol/crc32c.ts';
