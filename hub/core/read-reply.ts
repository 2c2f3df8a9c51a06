// A tile's reply bytes as the hub core reads them: unsealed (when the hub requires
// integrity) or undecodable bytes are a fault of the reply, reported with the reason.
// A DONE, the answer to nearly every message, is read in place into one reused object
// (protocol/done-in-place.ts), and so is a TOPK_RESULT (protocol/topk-in-place.ts: numbers,
// no BigInt); every other reply goes through the full decoder.
import { decodeTileMessage } from '../../protocol/codec.ts';
import { readDoneInPlace } from '../../protocol/done-in-place.ts';
import { ProtocolError } from '../../protocol/errors.ts';
import { isSealed } from '../../protocol/integrity.ts';
import { readTopkInPlace, TopkInPlace } from '../../protocol/topk-in-place.ts';
import type { DoneMsg, TileMessage } from '../../protocol/types.ts';

export class ReplyReader {
  /** The last DONE read in place: valid until the next read (the hub uses a reply before its next one). */
  private readonly done: DoneMsg = { type: 'DONE', msgId: 0, requestType: 0, value: 0 };
  /** The last TOPK_RESULT read in place (one per unit's READ_TOPK): valid until the next read too. */
  private readonly topk = new TopkInPlace();

  /** The decoded reply, or why it does not decode. Errors other than the protocol's propagate. */
  read(bytes: Uint8Array, integrity: boolean): TileMessage | { undecodable: string } {
    if (readDoneInPlace(bytes, this.done, integrity)) return this.done;
    if (readTopkInPlace(bytes, this.topk, integrity)) return this.topk;
    return readReply(bytes, integrity);
  }
}

/** The decoded reply, or why it does not decode, by the full decoder (a fresh object each). */
export function readReply(bytes: Uint8Array, integrity: boolean): TileMessage | { undecodable: string } {
  try {
    if (integrity && !isSealed(bytes)) throw new ProtocolError('bad-crc', 0, bytes.subarray(0, 2), 'reply is not sealed though the hub requires integrity');
    return decodeTileMessage(bytes);
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    return { undecodable: err.message };
  }
}
