// Simulated cycles a tile spends on one message, from the cost model (docs/cost-model.md).
// The work a message did is read from the request's header fields and the tile's reply
// (DONE carries the vectors processed), so the charge follows what the kernel really did.
import { BlockFlag, HEADER } from '../protocol/constants.ts';
import { CMP_FLAGS, LB_COUNT, LB_FLAGS, LB_TOTAL_BYTES, MSG_COMPUTE, MSG_DONE, MSG_LOAD_BLOCK, MSG_LOAD_QUERY, MSG_HEADER_BYTES, MSG_F_CRC, MSG_CRC_BYTES } from '../wat/layout.ts';
import { blockDistanceCycles, crc32cCycles, ioCopyCycles, messageDispatchCycles, topkMergeCycles, type CostModel, type TileMetric } from './cost-model.ts';

export interface ComputeShape {
  dim: number;
  metric: TileMetric;
  k: number;
  /** Stream dtype on the wire: 'i8' blocks are dequantized on the tile before computing. */
  wire: 'fp16' | 'i8';
}

/** Cycles per element for i8 -> fp16 dequantization (8 lanes, ~10 ops per vector op). */
export const DEQUANT_CYCLES_PER_8_ELEMS = 10;

/** `residentBlockBytes`: the block the tile holds, for COMPUTE's optional CRC re-check. */
export function messageCycles(model: CostModel, shape: ComputeShape, request: Uint8Array, reply: Uint8Array, residentBlockBytes: number): number {
  const req = new DataView(request.buffer, request.byteOffset, request.byteLength);
  // A sealed message (integrity mode) carries MSG_F_CRC in its type: the work is the same.
  const type = request.length >= 2 ? req.getUint16(HEADER.type, true) & ~MSG_F_CRC : 0;
  let cycles = messageDispatchCycles(model) + ioCopyCycles(model, request.length);
  // Integrity mode: the tile checks the request's CRC32C and seals its reply.
  if (request.length >= 2 && req.getUint16(HEADER.type, true) & MSG_F_CRC) cycles += crc32cCycles(model, request.length - MSG_CRC_BYTES) + crc32cCycles(model, reply.length);
  const rep = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
  const replyType = reply.length >= 2 ? rep.getUint16(HEADER.type, true) & ~MSG_F_CRC : 0;
  const processed = replyType === MSG_DONE && reply.length >= MSG_HEADER_BYTES + 8 ? rep.getUint32(MSG_HEADER_BYTES + 4, true) : 0;
  if (type === MSG_LOAD_QUERY) {
    cycles += ioCopyCycles(model, shape.dim * 4); // decode to f32 in the spill region
  } else if (type === MSG_LOAD_BLOCK && request.length >= MSG_HEADER_BYTES + 24) {
    const flags = req.getUint8(MSG_HEADER_BYTES + LB_FLAGS);
    if (flags & BlockFlag.FINAL) {
      const total = req.getUint32(MSG_HEADER_BYTES + LB_TOTAL_BYTES, true);
      const count = req.getUint16(MSG_HEADER_BYTES + LB_COUNT, true);
      if (flags & BlockFlag.VERIFY_CRC) cycles += crc32cCycles(model, total);
      if (flags & BlockFlag.DEQUANT) cycles += count * Math.ceil(shape.dim / 8) * DEQUANT_CYCLES_PER_8_ELEMS;
      cycles += computeCycles(model, shape, processed);
    }
  } else if (type === MSG_COMPUTE) {
    if (request.length > MSG_HEADER_BYTES + CMP_FLAGS && req.getUint8(MSG_HEADER_BYTES + CMP_FLAGS) & BlockFlag.VERIFY_CRC) cycles += crc32cCycles(model, residentBlockBytes);
    cycles += computeCycles(model, shape, processed);
  }
  return cycles;
}

function computeCycles(model: CostModel, shape: ComputeShape, vectors: number): number {
  if (vectors === 0) return 0;
  return blockDistanceCycles(model, 'fp16', shape.dim, shape.metric, vectors) + topkMergeCycles(model, vectors, shape.k);
}
