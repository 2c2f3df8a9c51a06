// MessageSlots: messages in flight by slot number, as bytes or as template + msg_id, in
// parallel arrays that grow past their first 256 slots and reuse freed ones.
import { describe, expect, it } from 'vitest';
import { MessageSlots } from '../sim/message-slots.ts';

describe('message slots', () => {
  it('keeps every message, its tile, msg_id, form and a request\'s type and length across growth and reuse', () => {
    const slots = new MessageSlots();
    const template = new Uint8Array([1, 2, 3]);
    const held: { slot: number; tile: number; bytes: Uint8Array; msgId: number; form: 'as-is' | 'plain' | 'sealed' }[] = [];
    for (let i = 0; i < 1000; i++) {
      const form = (['as-is', 'plain', 'sealed'] as const)[i % 3]!;
      const bytes = form === 'as-is' ? new Uint8Array([i & 0xff]) : template;
      const msgId = form === 'as-is' ? 0 : 0x8000_0000 + i; // above 2^31: kept unsigned
      // The stamped type and length as the transport gives them (distinct per message, so a slot's own are read back).
      const slot = form === 'as-is' ? slots.put(i % 7, bytes) : slots.putTemplate(i % 7, bytes, msgId, form === 'sealed', 0x4000 | i, 2000 + i);
      held.push({ slot, tile: i % 7, bytes, msgId, form });
    }
    expect(slots.inFlight).toBe(1000);
    expect(new Set(held.map((h) => h.slot)).size).toBe(1000);
    for (const h of held) {
      expect(slots.tileOf(h.slot)).toBe(h.tile);
      expect(slots.isTemplate(h.slot)).toBe(h.form !== 'as-is');
      if (h.form !== 'as-is') {
        expect(slots.msgIdOf(h.slot)).toBe(h.msgId);
        expect(slots.sealedOf(h.slot)).toBe(h.form === 'sealed');
        const i = held.indexOf(h);
        expect([slots.typeOf(h.slot), slots.lengthOf(h.slot)]).toEqual([0x4000 | i, 2000 + i]);
      }
      expect(slots.peek(h.slot)).toBe(h.bytes);
    }
    // Freed slots are reused, and a reused slot says what its new message is.
    const first = held[1]!; // a template slot
    expect(slots.take(first.slot)).toBe(template);
    const copy = new Uint8Array([9]);
    expect(slots.put(3, copy)).toBe(first.slot);
    expect(slots.isTemplate(first.slot)).toBe(false);
    expect(slots.peek(first.slot)).toBe(copy);
    expect(slots.inFlight).toBe(1000);
  });

  it('turns a waiting message into bytes as they are when replaced', () => {
    const slots = new MessageSlots();
    const slot = slots.putTemplate(2, new Uint8Array(16), 77, true, 0x4001, 20);
    const bytes = new Uint8Array([5, 6]);
    slots.replace(slot, bytes);
    expect(slots.isTemplate(slot)).toBe(false);
    expect(slots.tileOf(slot)).toBe(2);
    expect(slots.take(slot)).toBe(bytes);
    expect(slots.inFlight).toBe(0);
  });
});
