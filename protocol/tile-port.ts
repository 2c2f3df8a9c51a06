// The hub's side of one tile's message port: writes a request into the tile's I/O buffer,
// runs the kernel's dispatch loop, and reads back the one reply. A TileTrap from the kernel
// propagates unchanged (the hub's fault handling takes it from there); a reply that is not
// a well-formed answer to the request is a ProtocolError.
import type { TileInstance } from '../tile/tile-instance.ts';
import { IO_BYTES, IO_PTR } from '../wat/layout.ts';
import { HEADER_BYTES, MAX_MESSAGE_BYTES } from './constants.ts';
import { decodeTileMessage, encodeMessage } from './codec.ts';
import { ProtocolError } from './errors.ts';
import type { HubMessage, TileMessage } from './types.ts';

export class TilePort {
  /** Requests sent through this port. */
  sent = 0;

  constructor(readonly tile: TileInstance) {}

  /** Sends raw bytes (possibly malformed, for tests) and returns the reply bytes. */
  exchangeRaw(request: Uint8Array): Uint8Array {
    if (request.length > MAX_MESSAGE_BYTES) {
      throw new ProtocolError('oversized', MAX_MESSAGE_BYTES, request.subarray(MAX_MESSAGE_BYTES), `request of ${request.length} B, the I/O buffer holds ${MAX_MESSAGE_BYTES} B`);
    }
    this.tile.bytes.set(request, IO_PTR);
    this.sent++;
    const length = this.tile.call('rvf_on_message');
    if (!Number.isInteger(length) || length < HEADER_BYTES || length > IO_BYTES) {
      const lengthBytes = new Uint8Array(new Uint32Array([length >>> 0]).buffer);
      throw new ProtocolError('bad-reply', 0, lengthBytes, `rvf_on_message returned a reply length of ${length}, expected ${HEADER_BYTES}..${IO_BYTES}`);
    }
    return this.tile.bytes.slice(IO_PTR, IO_PTR + length);
  }

  /** Sends raw bytes and decodes the reply, checking it answers `msgId`. */
  sendRaw(request: Uint8Array, msgId: number): TileMessage {
    const reply = decodeTileMessage(this.exchangeRaw(request));
    if (reply.msgId !== msgId >>> 0) {
      const idBytes = new Uint8Array(new Uint32Array([reply.msgId]).buffer);
      throw new ProtocolError('bad-reply', 4, idBytes, `reply msg_id ${reply.msgId} does not match the request's ${msgId >>> 0}`);
    }
    return reply;
  }

  send(message: HubMessage): TileMessage {
    return this.sendRaw(encodeMessage(message), message.msgId);
  }
}
