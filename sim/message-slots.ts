// Messages in flight across the mesh, by slot number. A `deliver` or `reply` event's
// payload is the slot (a small integer the event queue stores as is), so a message in
// flight costs no object of its own: the tile and the message wait here in parallel
// arrays, slots are reused. A slot's tile, msg_id, form and (a request) its stamped type and
// length sit side by side in one Int32Array (one cache line for the reads a delivery and its
// trace record make, not one line in each of several arrays).
//
// A slot holds either bytes as they are (a reply, or a request a link tap has seen), or a
// hub request as its shared template and msg_id (and whether it is sealed): the stamped
// bytes are made only where the request is delivered, straight into the tile's I/O buffer
// (protocol/stamped-message.ts), so a request in flight is never copied. Its type and length
// come with it as numbers (the template's facts, protocol/template-facts.ts), so the trace's
// deliver record reads the slot, not the template, which is read once, where it is copied.
import { doubled } from './typed-grow.ts';

/** How a slot's message is held. */
const AS_IS = 0;
const TEMPLATE = 1;
const TEMPLATE_SEALED = 2;
/** Int32s per slot in `fields`: tile, msg_id (as int32), form, a template's stamped type and length, unused. */
const STRIDE = 8;
const TILE = 0;
const MSG_ID = 1;
const FORM = 2;
const TYPE = 3;
const LENGTH = 4;

export class MessageSlots {
  private refs: (Uint8Array | null)[] = [];
  private fields = new Int32Array(256 * STRIDE);
  private readonly free: number[] = [];

  /** Messages waiting (put and not yet taken). */
  get inFlight(): number {
    return this.refs.length - this.free.length;
  }

  /** Bytes delivered as they are. */
  put(tile: number, bytes: Uint8Array): number {
    return this.place(tile, bytes, 0, AS_IS);
  }

  /** A hub request: `template` with `msgId` stamped in (and sealed), made at delivery;
   *  `type` and `length` are the stamped message's (stampedTypeOf, stampedLengthOf). */
  putTemplate(tile: number, template: Uint8Array, msgId: number, sealed: boolean, type: number, length: number): number {
    const slot = this.place(tile, template, msgId, sealed ? TEMPLATE_SEALED : TEMPLATE);
    const at = slot * STRIDE;
    this.fields[at + TYPE] = type;
    this.fields[at + LENGTH] = length;
    return slot;
  }

  tileOf(slot: number): number {
    return this.fields[slot * STRIDE + TILE]!;
  }

  /** Whether the slot holds a template and msg_id rather than the bytes themselves. */
  isTemplate(slot: number): boolean {
    return this.fields[slot * STRIDE + FORM]! !== AS_IS;
  }

  /** A template slot's msg_id. */
  msgIdOf(slot: number): number {
    return this.fields[slot * STRIDE + MSG_ID]! >>> 0;
  }

  /** A template slot's stamped type field (with MSG_F_CRC when sealed). */
  typeOf(slot: number): number {
    return this.fields[slot * STRIDE + TYPE]!;
  }

  /** A template slot's stamped length (with the seal's CRC when sealed). */
  lengthOf(slot: number): number {
    return this.fields[slot * STRIDE + LENGTH]!;
  }

  /** Whether a template slot's message is sealed. */
  sealedOf(slot: number): boolean {
    return this.fields[slot * STRIDE + FORM]! === TEMPLATE_SEALED;
  }

  /** The bytes (or template), still in flight (the trace reads them before the handler takes them). */
  peek(slot: number): Uint8Array {
    return this.refs[slot]!;
  }

  /** Puts other bytes in place of a waiting message's (a reply copied out of a buffer about to be reused). */
  replace(slot: number, bytes: Uint8Array): void {
    this.refs[slot] = bytes;
    this.fields[slot * STRIDE + FORM] = AS_IS;
  }

  /** The bytes (or template), and the slot is free again; read msgIdOf/sealedOf first. */
  take(slot: number): Uint8Array {
    const bytes = this.refs[slot]!;
    this.refs[slot] = null;
    this.free.push(slot);
    return bytes;
  }

  private place(tile: number, ref: Uint8Array, msgId: number, form: number): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.refs.length;
      if (slot * STRIDE === this.fields.length) this.fields = doubled(this.fields);
      this.refs.push(ref);
    } else {
      this.refs[slot] = ref;
    }
    const at = slot * STRIDE;
    const f = this.fields;
    f[at + TILE] = tile;
    f[at + MSG_ID] = msgId; // a u32 stored as int32; msgIdOf reads it back unsigned
    f[at + FORM] = form;
    return slot;
  }
}
