// A tile's reply bytes as the hub core reads them: unsealed (when the hub requires
// integrity) or undecodable bytes are a fault of the reply, reported with the reason.
import { decodeTileMessage } from '../../protocol/codec.ts';
import { ProtocolError } from '../../protocol/errors.ts';
import { isSealed } from '../../protocol/integrity.ts';
import type { TileMessage } from '../../protocol/types.ts';

/** The decoded reply, or why it does not decode. Errors other than the protocol's propagate. */
export function readReply(bytes: Uint8Array, integrity: boolean): TileMessage | { undecodable: string } {
  try {
    if (integrity && !isSealed(bytes)) throw new ProtocolError('bad-crc', 0, bytes.subarray(0, 2), 'reply is not sealed though the hub requires integrity');
    return decodeTileMessage(bytes);
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    return { undecodable: err.message };
  }
}
