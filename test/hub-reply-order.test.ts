import { describe, expect, it } from 'vitest';
import { ReplyOrder } from '../hub/core/reply-order.ts';

describe('reply order (hub/core/reply-order.ts)', () => {
  it('takes replies in send order, late ones included', () => {
    const o = new ReplyOrder();
    o.sending(10); // slow: the hub gives up and sends 11
    o.sending(11);
    expect(o.arrived(10)).toBe('in-order');
    expect(o.arrived(11)).toBe('in-order');
  });

  it('calls a reply older than one already answered a replay (a duplicate run after later messages)', () => {
    const o = new ReplyOrder();
    o.sending(1);
    o.sending(2);
    expect(o.arrived(1)).toBe('in-order');
    expect(o.arrived(2)).toBe('in-order');
    expect(o.arrived(1)).toBe('replayed');
  });

  it('calls a second answer to one msg_id a replay, also after a re-send with that id', () => {
    const o = new ReplyOrder();
    o.sending(5);
    expect(o.arrived(5)).toBe('in-order');
    expect(o.arrived(5)).toBe('replayed');
    const p = new ReplyOrder();
    p.sending(7);
    p.sending(7); // a pull walk re-sends a lost message with its id
    expect(p.arrived(7)).toBe('in-order');
    expect(p.arrived(7)).toBe('replayed');
  });

  it('knows no msg_id it never sent', () => {
    const o = new ReplyOrder();
    o.sending(3);
    expect(o.arrived(0x7ff00001)).toBe('unknown');
  });
});
