// The host-tile protocol's public surface (docs/protocol.md).
export * from './constants.ts';
export { ReadCursor, WriteCursor } from './cursor.ts';
export { ProtocolError, hexBytes, type ProtocolErrorKind } from './errors.ts';
export { decodeHeader, encodeHeader, type MessageHeader } from './header.ts';
export { decodeMessage, decodeTileMessage, encodeMessage } from './codec.ts';
export { crc32c } from './crc32c.ts';
export { blockChunks, blockStream, padBlockVectors, paramsChunks, type BlockChunkOptions, type ParamsChunkOptions } from './block-chunks.ts';
export { isKnownDtype, strideBytes, vectorBytes } from './vector-bytes.ts';
export { TilePort } from './tile-port.ts';
export { isSealed, sealMessage, unsealMessage } from './integrity.ts';
export type * from './types.ts';
