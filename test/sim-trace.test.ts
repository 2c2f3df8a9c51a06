import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TraceRecorder, TraceClosedError } from '../sim/trace.ts';
import { traceHashOfJsonl } from '../sim/trace-jsonl.ts';
import { messageId, messageType, TraceRecordWriter } from '../sim/trace-records.ts';
import { canonicalJson, CanonicalJsonError } from '../sim/canonical-json.ts';
import { tempDirs } from './helpers/temp-dir.ts';


describe('canonicalJson', () => {
  it('sorts object keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,2]},"b":1}');
  });

  it('gives the same text whatever the property insertion order', () => {
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });

  it('writes typed arrays as arrays, bigints as strings and -0 as 0', () => {
    expect(canonicalJson({ ids: new Int32Array([3, -1]), big: 2n ** 64n, z: -0 })).toBe('{"big":"18446744073709551616","ids":[3,-1],"z":0}');
  });

  it('skips undefined properties but rejects NaN, Infinity, undefined array slots and functions', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(() => canonicalJson({ d: NaN })).toThrow(/\$\.d is NaN/);
    expect(() => canonicalJson([Infinity])).toThrow(CanonicalJsonError);
    expect(() => canonicalJson([1, undefined])).toThrow(/\$\[1\] is undefined/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
  });
});

describe('TraceRecorder', () => {
  const tempDir = tempDirs('cogsim-trace-');

  /** The documented binary records (docs/trace.md), built by hand. */
  function entryRecord(json: string): Buffer {
    const n = Buffer.byteLength(json);
    const b = Buffer.alloc(5 + n);
    b[0] = 1;
    b.writeUInt32LE(n, 1);
    b.write(json, 5);
    return b;
  }
  /** A stamp: the cycles since the previous stamp and the sequence number, each u32 or 0xffffffff and f64. */
  function stampBytes(dt: number, t: number, seq: number): Buffer {
    const one = (small: number, value: number): Buffer => {
      if (Number.isInteger(small) && small >= 0 && small < 0xffff_ffff) {
        const b = Buffer.alloc(4);
        b.writeUInt32LE(small);
        return b;
      }
      const b = Buffer.alloc(12);
      b.writeUInt32LE(0xffff_ffff);
      b.writeDoubleLE(value, 4);
      return b;
    };
    return Buffer.concat([one(dt, t), one(seq, seq)]);
  }
  function eventRecord(dt: number, t: number, seq: number, kind: string, payloadJson: string): Buffer {
    const k = Buffer.from(kind);
    const p = Buffer.from(payloadJson);
    const tail = Buffer.alloc(1 + k.length + 4 + p.length);
    tail[0] = k.length;
    k.copy(tail, 1);
    tail.writeUInt32LE(p.length, 1 + k.length);
    p.copy(tail, 5 + k.length);
    return Buffer.concat([Buffer.from([2]), stampBytes(dt, t, seq), tail]);
  }
  /** A request: tile, u16 type, u32 msgId, u32 bytes. */
  function deliverRecord(dt: number, t: number, seq: number, tile: number, type: number, msgId: number, bytes: number): Buffer {
    const tail = Buffer.alloc(14);
    tail.writeUInt32LE(tile, 0);
    tail.writeUInt16LE(type, 4);
    tail.writeUInt32LE(msgId, 6);
    tail.writeUInt32LE(bytes, 10);
    return Buffer.concat([Buffer.from([3]), stampBytes(dt, t, seq), tail]);
  }
  /** A reply: tile, u32 n, its n bytes. */
  function replyRecord(dt: number, t: number, seq: number, tile: number, body: Uint8Array): Buffer {
    const head = Buffer.alloc(8);
    head.writeUInt32LE(tile, 0);
    head.writeUInt32LE(body.length, 4);
    return Buffer.concat([Buffer.from([4]), stampBytes(dt, t, seq), head, body]);
  }
  const sha256Bytes = (...parts: Buffer[]): string => createHash('sha256').update(Buffer.concat(parts)).digest('hex');
  /** A 16-byte reply: type 0x84 at offset 0, msg_id 7 at offset 4. */
  const reply = Uint8Array.from([0x84, 0, 0, 0, 7, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]);

  it('hashes exactly the documented binary records, and keeps the canonical JSON lines', () => {
    const trace = new TraceRecorder({ keepLines: true });
    trace.recordEvent(5, 0, 'compute', { tile: 2, block: 7 });
    trace.record({ fault: 'drop', tile: 3 });
    trace.recordMessage('reply', 9, 1, 2, 0x84, 7, reply.length, reply, 0);
    trace.recordMessage('deliver', 11, 2, 3, 2, 8, 2048, null, 1);
    expect(trace.keptLineList).toEqual([
      '{"kind":"compute","payload":{"block":7,"tile":2},"seq":0,"t":5}',
      '{"fault":"drop","tile":3}',
      '{"kind":"reply","payload":{"body":"84000000070000000102030405060708","bytes":16,"msgId":7,"tile":2,"type":132},"seq":1,"t":9}',
      '{"kind":"deliver","payload":{"bytes":2048,"msgId":8,"tile":3,"type":2},"seq":2,"t":11}',
    ]);
    const records = [
      eventRecord(5, 5, 0, 'compute', '{"block":7,"tile":2}'),
      entryRecord('{"fault":"drop","tile":3}'),
      replyRecord(4, 9, 1, 2, reply),
      deliverRecord(2, 11, 2, 3, 2, 8, 2048), // a delivery records the size, not the bytes
    ];
    expect(trace.hashHex()).toBe(sha256Bytes(...records));
    expect(trace.lineCount).toBe(4);
    expect(trace.byteCount).toBe(Buffer.concat(records).length);
  });

  it('changes the hash for any one changed byte of a reply', () => {
    const hashOf = (bytes: Uint8Array): string => {
      const trace = new TraceRecorder();
      trace.recordMessage('reply', 9, 1, 2, 0x84, 7, bytes.length, bytes, 0);
      return trace.close();
    };
    const base = hashOf(reply);
    for (let pos = 0; pos < reply.length; pos++) {
      const changed = reply.slice();
      changed[pos] = changed[pos]! ^ 0x80;
      expect(hashOf(changed)).not.toBe(base);
    }
  });

  it('builds event lines identical to canonicalJson of the same object', () => {
    const trace = new TraceRecorder({ keepLines: true });
    trace.recordEvent(9, 4, 'x', { b: [1], a: 'é' });
    expect(trace.keptLineList[0]).toBe(canonicalJson({ t: 9, seq: 4, kind: 'x', payload: { b: [1], a: 'é' } }));
  });

  it('keeps the running hash usable after reading it', () => {
    const trace = new TraceRecorder();
    trace.record({ a: 1 });
    const first = trace.hashHex();
    trace.record({ a: 2 });
    expect(first).toBe(sha256Bytes(entryRecord('{"a":1}')));
    expect(trace.close()).toBe(sha256Bytes(entryRecord('{"a":1}'), entryRecord('{"a":2}')));
    expect(trace.hashHex()).toBe(trace.close());
  });

  it('gives the same hash whatever the flush batch size, and whether JSON lines are made or not', () => {
    const small = new TraceRecorder({ flushBytes: 1 });
    const large = new TraceRecorder();
    const kept = new TraceRecorder({ keepLines: true, flushBytes: 100 });
    for (const t of [small, large, kept]) {
      for (let i = 0; i < 500; i++) {
        t.recordEvent(i, i, 'tick', { i });
        if (i % 7 === 0) t.recordMessage('reply', i, i, i % 4, 0x84, i, reply.length, reply, i);
      }
    }
    expect(small.close()).toBe(large.close());
    expect(kept.close()).toBe(large.close());
  });

  it('streams a .jsonl file from which traceHashOfJsonl rebuilds the trace hash', () => {
    const path = join(tempDir(), 'run.jsonl');
    const trace = new TraceRecorder({ filePath: path, flushBytes: 100 });
    trace.record({ kind: 'config', config: { seed: 1 } });
    for (let i = 0; i < 100; i++) {
      trace.recordEvent(i * 10, i, 'step', { tile: i % 4 });
      trace.recordEvent(i * 10, i, '$timer', undefined);
      trace.recordMessage(i % 2 ? 'reply' : 'deliver', i * 10 + 1, i, i % 4, i % 2 ? 0x84 : 2, i, 16, i % 2 ? reply : null, i);
    }
    const hash = trace.close();
    const text = readFileSync(path, 'utf8');
    expect(text.split('\n').length).toBe(302);
    expect(traceHashOfJsonl(text)).toBe(hash);
    // The file pins the hash: one changed reply byte in it gives another.
    expect(traceHashOfJsonl(text.replace('0102030405060708"', '0102030405060709"'))).not.toBe(hash);
  });

  it('records a request or a reply through recordDeliver/recordReply exactly as recordMessage does (bytes, lines, listener), across batches', () => {
    // Short (no type or msg_id), DONE-sized, and longer than the byte-by-byte copy's limit.
    const bodies = [Uint8Array.from([0x84, 0, 0]), reply, Uint8Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff)];
    const heard = { generic: [] as unknown[], fast: [] as unknown[] };
    const make = (who: 'generic' | 'fast'): TraceRecorder => {
      const t = new TraceRecorder({ keepLines: true, flushBytes: 97 });
      t.listener = (time, kind, payload) => heard[who].push([time, kind, payload]);
      return t;
    };
    const generic = make('generic');
    const fast = make('fast');
    for (let i = 0; i < 60; i++) {
      const body = bodies[i % 3]!;
      const type = messageType(body);
      const msgId = messageId(body);
      generic.recordMessage('deliver', i * 3, 2 * i, i % 5, 2, 0xffff_fff0 + (i % 16), 2048 + i, null, i);
      fast.recordDeliver(i * 3, 2 * i, i % 5, 2, 0xffff_fff0 + (i % 16), 2048 + i, i);
      generic.recordMessage('reply', i * 3 + 1, 2 * i + 1, i % 5, type, msgId, body.length, body, -i);
      fast.recordReply(i * 3 + 1, 2 * i + 1, i % 5, body, -i);
    }
    expect(fast.keptLineList).toEqual(generic.keptLineList);
    expect(fast.byteCount).toBe(generic.byteCount);
    expect(heard.fast).toEqual(heard.generic);
    expect(fast.close()).toBe(generic.close());
  });

  it('writes a reply record as docs/trace.md lays it out, for every body length, at every offset, across batches', () => {
    // The layout built field by field, independently of the writer's word copies.
    const expected = (dt: number, seq: number, tile: number, body: Uint8Array): Uint8Array => {
      const out = new Uint8Array(17 + body.length);
      const v = new DataView(out.buffer);
      out[0] = 4;
      v.setUint32(1, dt, true);
      v.setUint32(5, seq, true);
      v.setUint32(9, tile, true);
      v.setUint32(13, body.length, true);
      out.set(body, 17);
      return out;
    };
    for (const batch of [97, 256, 64 * 1024]) {
      const got: number[] = [];
      const writer = new TraceRecordWriter((bytes) => got.push(...bytes), batch);
      const want: number[] = [];
      // Bodies of 0-80 bytes (a header or not, word copies with 0-3 bytes left over, past the
      // word-copy limit), at every alignment of a larger buffer, bytes with the high bit set.
      const memory = Uint8Array.from({ length: 4096 }, (_, i) => (i * 151 + 7) & 0xff);
      for (let n = 0; n <= 80; n++) {
        for (let offset = 0; offset < 4; offset++) {
          const body = memory.subarray(64 * n + offset, 64 * n + offset + n);
          const t = n * 10 + offset;
          writer.reply(t, t + 1, offset, body);
          want.push(...expected(offset === 0 ? (n === 0 ? 0 : 7) : 1, t + 1, offset, body));
        }
      }
      writer.drain();
      expect(Uint8Array.from(got)).toEqual(Uint8Array.from(want));
    }
  });

  it('writes a stamp as u32s while they fit, and as 0xffffffff and f64 otherwise (backwards, fractional, huge)', () => {
    const trace = new TraceRecorder();
    const times = [0, 7, 7, 2 ** 32 + 7, 2 ** 32 + 8, 3, 3.5, 2 ** 53 - 1];
    const seqs = [0, 1, 0xffff_fffe, 0xffff_ffff, 2 ** 40, 5, 6, 7];
    const want: Buffer[] = [];
    let last = 0;
    times.forEach((t, i) => {
      trace.recordDeliver(t, seqs[i]!, 1, 2, 3, 4, null);
      want.push(deliverRecord(t - last, t, seqs[i]!, 1, 2, 3, 4));
      last = t;
    });
    expect(trace.byteCount).toBe(Buffer.concat(want).length);
    expect(trace.close()).toBe(sha256Bytes(...want));
  });

  it('changes the hash for any one changed field of a request, and records a cut-short one in full', () => {
    const hashOf = (t: number, seq: number, tile: number, type: number, msgId: number, bytes: number): string => {
      const trace = new TraceRecorder();
      trace.recordDeliver(100, 1, 0, 2, 1, 64, null); // a record before: t is the cycles since
      trace.recordDeliver(t, seq, tile, type, msgId, bytes, null);
      return trace.close();
    };
    const base = [200, 2, 3, 2, 8, 2048] as const;
    const seen = new Set([hashOf(...base)]);
    for (let field = 0; field < base.length; field++) {
      for (const other of [base[field]! + 1, base[field]! - 1, base[field]! + 2 ** 16, -1]) {
        const changed = [...base] as [number, number, number, number, number, number];
        changed[field] = other;
        if (field === 2 && other < 0) continue; // a tile is an index
        seen.add(hashOf(...changed));
      }
    }
    // Every variant (type and msg_id -1 or beyond u16: the wide record) hashed differently.
    expect(seen.size).toBe(1 + 6 * 4 - 1);
  });

  it('refuses a reply line whose type, msg_id or size disagree with its body, and a reply without bytes', () => {
    const trace = new TraceRecorder({ keepLines: true });
    trace.recordReply(9, 1, 2, reply, 0);
    const line = trace.keptLineList[0]!;
    expect(traceHashOfJsonl(line)).toBe(trace.close());
    expect(() => traceHashOfJsonl(line.replace('"msgId":7', '"msgId":8'))).toThrow(/reply's "msgId" is 8, its body says 7/);
    expect(() => traceHashOfJsonl(line.replace('"type":132', '"type":133'))).toThrow(/"type" is 133, its body says 132/);
    expect(() => traceHashOfJsonl(line.replace('"bytes":16', '"bytes":15'))).toThrow(/"bytes" is 15, its body says 16/);
    expect(() => new TraceRecorder().recordMessage('reply', 1, 1, 1, 0x84, 7, 16, null, 0)).toThrow(/needs the reply's bytes/);
  });

  it('refuses entries after close', () => {
    const trace = new TraceRecorder();
    trace.close();
    expect(() => trace.record({ a: 1 })).toThrow(TraceClosedError);
  });
});
