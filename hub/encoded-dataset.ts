// The dataset as the tiles will see it: quantized, padded, split into blocks that fit a
// tile's block region, each block's stream cached with its CRC32C. Also the decoded
// values the tiles actually compare, for the exactness check and the hub-local path.
import { crc32c } from '../protocol/crc32c.ts';
import { blockChunks, type BlockChunkOptions } from '../protocol/block-chunks.ts';
import { streamChunkTemplates } from '../protocol/block-templates.ts';
import { lz4BlockChunks } from '../protocol/lz4-chunks.ts';
import { strideBytes } from '../protocol/vector-bytes.ts';
import type { LoadBlockMsg } from '../protocol/types.ts';
import { dequantI8 } from '../tile/reference/sq.ts';
import { DTYPE_FP16, DTYPE_I8, DTYPE_PQ6, IMAGE_LAYOUT, MAX_BLOCK_VECTORS, MSG_CRC_BYTES, type KernelImage } from '../wat/layout.ts';
import { pq6Distances, pq6Table, pq6VectorBytes } from '../tile/reference/pq6.ts';
import { encodePq6, type Pq6Codebook } from './pq6/train.ts';
import { LoadBlock } from '../protocol/constants.ts';
import { f32ArrayToFp16, fp16ArrayToF32 } from './data/fp16.ts';
import { fitSqParams, quantizeSq, type SqParams } from './sq-quantize.ts';
import { checkSearchSpec, type SearchSpec } from './search-spec.ts';

export interface BlockInfo {
  blockId: number;
  firstId: number;
  count: number;
}

export class EncodedDataset {
  readonly n: number;
  readonly dim: number;
  readonly vectorsPerBlock: number;
  readonly blockCount: number;
  /** dtype of the block stream on the wire (i8 codes are dequantized on the tile). */
  readonly wireDtype: number;
  /** What the tile compares: fp16 in both modes. */
  readonly queryDtype = DTYPE_FP16;
  readonly sq: SqParams | null;
  /** --dtype pq6: the hub-trained codebook and every vector's packed codes (what the tiles score). */
  readonly pq6: { book: Pq6Codebook; codes: Uint8Array } | null = null;
  /** Bytes of one vector in a block stream (padded fp16 or i8; packed PQ6 codes). */
  private readonly wireStride: number;
  /** The base vectors exactly as a tile computes with them: fp16 halves (dequantized for i8). */
  readonly computeHalves: Uint16Array;
  /** The same values as f32, for ground truth over what the tiles see. */
  readonly decodedBase: Float32Array;
  private readonly wireBase: Uint8Array;
  private readonly queryHalves: Uint16Array;
  readonly queryCount: number;
  private readonly streams = new Map<number, { stream: Uint8Array; crc: number }>();
  private readonly chunkCache = new Map<string, LoadBlockMsg[]>();
  /** Block streams travel as LZ4 chunks (Hot image only; docs/protocol.md "LZ4 chunks"). */
  readonly lz4: boolean;

  constructor(
    readonly spec: SearchSpec,
    base: Float32Array,
    queries: Float32Array,
    /** The kernel image the tiles run: its block region sizes the blocks (wat/layout.ts IMAGE_LAYOUT). */
    readonly image: KernelImage = 'core',
    opts: { lz4?: boolean; pq6Book?: Pq6Codebook } = {},
  ) {
    checkSearchSpec(spec);
    this.lz4 = opts.lz4 ?? false;
    if (this.lz4 && image !== 'hot') throw new RangeError('LZ4 chunks go to tiles running the Hot image only');
    this.dim = spec.dim;
    this.n = base.length / spec.dim;
    this.queryCount = queries.length / spec.dim;
    this.queryHalves = f32ArrayToFp16(queries);
    if (spec.dtype === 'pq6') {
      // The tiles score packed codes with the query's table; the fp16 vectors stay the
      // hub's (hub-local fallback answers from the codes too: pq6Distances).
      const book = opts.pq6Book;
      if (!book || book.dim !== spec.dim) throw new RangeError(`--dtype pq6 needs a codebook of dim ${spec.dim}`);
      if (image !== 'hot') throw new RangeError('PQ6 codes go to tiles running the Hot image only');
      this.pq6 = { book, codes: encodePq6(base, book) };
      this.wireDtype = DTYPE_PQ6;
      this.sq = null;
      this.wireBase = this.pq6.codes;
      this.computeHalves = f32ArrayToFp16(base);
    } else if (spec.dtype === 'fp16') {
      this.wireDtype = DTYPE_FP16;
      this.sq = null;
      const halves = f32ArrayToFp16(base);
      this.wireBase = new Uint8Array(halves.buffer, halves.byteOffset, halves.byteLength);
      this.computeHalves = halves;
    } else {
      this.wireDtype = DTYPE_I8;
      this.sq = fitSqParams(base, spec.dim);
      const codes = quantizeSq(base, spec.dim, this.sq);
      this.wireBase = new Uint8Array(codes.buffer, codes.byteOffset, codes.byteLength);
      this.computeHalves = this.dequantizedHalves(codes);
    }
    this.decodedBase = fp16ArrayToF32(this.computeHalves);
    this.wireStride = this.pq6 ? pq6VectorBytes(this.pq6.book.m) : strideBytes(this.wireDtype, this.dim);
    // Blocks are sized for the fp16 form the tile computes with (i8 streams are half that);
    // PQ6 blocks by their packed codes.
    const stride = this.pq6 ? this.wireStride : strideBytes(DTYPE_FP16, spec.dim);
    this.vectorsPerBlock = Math.min(MAX_BLOCK_VECTORS, Math.floor(IMAGE_LAYOUT[image].IMG_BLOCK_BYTES / stride));
    this.blockCount = Math.ceil(this.n / this.vectorsPerBlock);
  }

  /** What rvf_dequant_i8 produces on a tile, for every vector (tile/reference/sq.ts). */
  private dequantizedHalves(codes: Int8Array): Uint16Array {
    const padded = Math.ceil(this.dim / 8) * 8;
    const out = new Uint16Array(this.n * this.dim);
    const paddedCodes = new Int8Array(padded);
    for (let i = 0; i < this.n; i++) {
      paddedCodes.fill(0);
      paddedCodes.set(codes.subarray(i * this.dim, (i + 1) * this.dim));
      out.set(dequantI8(paddedCodes, 1, this.dim, this.sq!.interleaved).subarray(0, this.dim), i * this.dim);
    }
    return out;
  }

  /** One vector as fp16 bytes, exactly as a tile computes with it. */
  computeVectorBytes(id: number): Uint8Array {
    const h = this.computeHalves.subarray(id * this.dim, (id + 1) * this.dim);
    return new Uint8Array(h.buffer, h.byteOffset, h.byteLength);
  }

  block(blockId: number): BlockInfo {
    const firstId = blockId * this.vectorsPerBlock;
    return { blockId, firstId, count: Math.min(this.vectorsPerBlock, this.n - firstId) };
  }

  /** The block's padded vectors as they travel (fp16 halves or i8 codes), and their CRC32C. */
  blockStream(blockId: number): { stream: Uint8Array; crc: number } {
    const hit = this.streams.get(blockId);
    if (hit) return hit;
    const { firstId, count } = this.block(blockId);
    // Raw bytes a vector: fp16 halves, i8 codes, or packed PQ6 codes (unpadded).
    const raw = this.pq6 ? this.wireStride : this.dim * (this.wireDtype === DTYPE_FP16 ? 2 : 1);
    const stride = this.wireStride;
    let stream: Uint8Array;
    if (raw === stride) {
      // Unpadded vectors are already the stream: a view of the data, no copy (nothing writes to either).
      stream = this.wireBase.subarray(firstId * raw, (firstId + count) * raw);
    } else {
      stream = new Uint8Array(count * stride);
      for (let i = 0; i < count; i++) {
        const from = (firstId + i) * raw;
        stream.set(this.wireBase.subarray(from, from + raw), i * stride);
      }
    }
    const entry = { stream, crc: crc32c(stream) };
    this.streams.set(blockId, entry);
    return entry;
  }

  /** The LOAD_BLOCK chunks of a block (msgIds are set when sent). */
  blockChunks(blockId: number, stageOnly: boolean, verifyCrc: boolean, sealed = false): LoadBlockMsg[] {
    const key = `${blockId}/${stageOnly ? 1 : 0}/${verifyCrc ? 1 : 0}/${sealed ? 1 : 0}`;
    const hit = this.chunkCache.get(key);
    if (hit) return hit;
    const { stream, options } = this.chunkInput(blockId, stageOnly, verifyCrc, sealed);
    const chunks = (this.lz4 ? lz4BlockChunks : blockChunks)(stream, options);
    this.chunkCache.set(key, chunks);
    return chunks;
  }

  /**
   * The wire bytes (msg_id 0, unsealed) of the block's LOAD_BLOCK chunks, the same bytes as
   * encodeMessages(blockChunks(...)), made afresh on each call: the hub's message builder keeps
   * them, so no chunk objects are made or kept for them (plain chunks are written straight from
   * the stream; LZ4 chunks, Hot tiles only, through their messages).
   */
  blockTemplates(blockId: number, stageOnly: boolean, verifyCrc: boolean, sealed = false): Uint8Array[] {
    const { stream, options } = this.chunkInput(blockId, stageOnly, verifyCrc, sealed);
    return streamChunkTemplates(stream, options, this.lz4);
  }

  /** A block's stream and the options of its chunks. */
  private chunkInput(blockId: number, stageOnly: boolean, verifyCrc: boolean, sealed: boolean): { stream: Uint8Array; options: BlockChunkOptions } {
    const { firstId, count } = this.block(blockId);
    const { stream, crc } = this.blockStream(blockId);
    const options: BlockChunkOptions = {
      streamCrc: crc, // computed once with the stream, not again per chunk set
      firstMsgId: 0,
      count,
      dtype: this.wireDtype,
      firstId: BigInt(firstId),
      stageOnly,
      dequant: this.wireDtype === DTYPE_I8,
      verifyCrc,
      // A sealed message carries a 4 B CRC trailer, so each chunk carries 4 B less.
      ...(sealed ? { chunkDataBytes: LoadBlock.maxDataBytes - MSG_CRC_BYTES } : {}),
    };
    return { stream, options };
  }

  /** The query as LOAD_QUERY carries it: fp16 halves, little-endian. */
  queryBytes(queryId: number): Uint8Array {
    const halves = this.queryHalves.subarray(queryId * this.dim, (queryId + 1) * this.dim);
    return new Uint8Array(halves.buffer, halves.byteOffset, halves.byteLength);
  }

  /** --dtype pq6: every vector's distance to the query as a Hot tile computes it (tile/reference/pq6.ts). */
  pq6DistancesOf(queryId: number): Float32Array {
    if (!this.pq6) throw new RangeError('pq6DistancesOf: the dataset is not PQ6');
    const { book, codes } = this.pq6;
    return pq6Distances(pq6Table(this.decodedQuery(queryId), book.halves, book.m, this.dim), codes, this.n, book.m);
  }

  /** The query as the tile computes with it (fp16 values as f32). */
  decodedQuery(queryId: number): Float32Array {
    return fp16ArrayToF32(this.queryHalves.subarray(queryId * this.dim, (queryId + 1) * this.dim));
  }
}
