import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TraceRecorder, TraceClosedError } from '../sim/trace.ts';
import { traceHashOfJsonl } from '../sim/trace-jsonl.ts';
import { messageId, messageType, TraceRecordWriter } from '../sim/trace-records.ts';
import { canonicalJson, CanonicalJsonError, tilePayloadJson } from '../sim/canonical-json.ts';
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
  function eventRecord(t: number, seq: number, kind: string, payloadJson: string): Buffer {
    const k = Buffer.from(kind);
    const p = Buffer.from(payloadJson);
    const b = Buffer.alloc(18 + k.length + 4 + p.length);
    b[0] = 2;
    b.writeDoubleLE(t, 1);
    b.writeDoubleLE(seq, 9);
    b[17] = k.length;
    k.copy(b, 18);
    b.writeUInt32LE(p.length, 18 + k.length);
    p.copy(b, 22 + k.length);
    return b;
  }
  function messageRecord(reply: boolean, t: number, seq: number, tile: number, type: number, msgId: number, body: Uint8Array): Buffer {
    const b = Buffer.alloc(41);
    b[0] = reply ? 4 : 3;
    b.writeDoubleLE(t, 1);
    b.writeDoubleLE(seq, 9);
    b.writeUInt32LE(tile, 17);
    b.writeDoubleLE(type, 21);
    b.writeDoubleLE(msgId, 29);
    b.writeUInt32LE(body.length, 37);
    return reply ? Buffer.concat([b, body]) : b;
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
      eventRecord(5, 0, 'compute', '{"block":7,"tile":2}'),
      entryRecord('{"fault":"drop","tile":3}'),
      messageRecord(true, 9, 1, 2, 0x84, 7, reply),
      messageRecord(false, 11, 2, 3, 2, 8, new Uint8Array(0)),
    ];
    records[3]!.writeUInt32LE(2048, 37); // a delivery records the size, not the bytes
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

  it("changes the hash for any one changed field of a request's record (time, sequence, tile, type, msg_id, size)", () => {
    const hashOf = (fields: readonly number[]): string => {
      const trace = new TraceRecorder();
      const [t, seq, tile, type, msgId, bytes] = fields as [number, number, number, number, number, number];
      trace.recordDeliver(t, seq, tile, type, msgId, bytes, null);
      return trace.close();
    };
    const base = [200, 2, 3, 2, 8, 2048];
    const seen = new Set([hashOf(base)]);
    let variants = 1;
    base.forEach((value, field) => {
      for (const other of [value + 1, value - 1, value + 2 ** 16, -1]) {
        if (field === 2 && other < 0) continue; // a tile is an index
        seen.add(hashOf(base.map((v, i) => (i === field ? other : v))));
        variants++;
      }
    });
    expect(variants).toBe(24);
    expect(seen.size).toBe(variants);
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
    expect(traceHashOfJsonl(text.replace('"body":"84', '"body":"85'))).not.toBe(hash);
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
    const expected = (t: number, seq: number, tile: number, body: Uint8Array): Uint8Array => {
      const out = new Uint8Array(41 + body.length);
      const v = new DataView(out.buffer);
      out[0] = 4;
      v.setFloat64(1, t, true);
      v.setFloat64(9, seq, true);
      v.setUint32(17, tile, true);
      v.setFloat64(21, body.length >= 2 ? body[0]! + 256 * body[1]! : -1, true);
      v.setFloat64(29, body.length >= 8 ? new DataView(body.buffer, body.byteOffset, body.length).getUint32(4, true) : -1, true);
      v.setUint32(37, body.length, true);
      out.set(body, 41);
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
          want.push(...expected(t, t + 1, offset, body));
        }
      }
      writer.drain();
      expect(Uint8Array.from(got)).toEqual(Uint8Array.from(want));
    }
  });

  it('refuses entries after close', () => {
    const trace = new TraceRecorder();
    trace.close();
    expect(() => trace.record({ a: 1 })).toThrow(TraceClosedError);
  });

  it("records a payload's JSON given by the caller (recordEventJson) exactly as recordEvent records the payload; the booted event's JSON is canonicalJson's", () => {
    const seen: [string, unknown][] = [];
    const generic = new TraceRecorder({ keepLines: true, flushBytes: 64 });
    const given = new TraceRecorder({ keepLines: true, flushBytes: 64 });
    given.listener = (_t, kind, payload) => seen.push([kind, payload]);
    for (const tile of [0, 1, 9, 10, 4095, 65_535]) {
      const payload = { tile };
      expect(tilePayloadJson(tile)).toBe(canonicalJson(payload));
      generic.recordEvent(1_000 + tile, tile, 'booted', payload);
      given.recordEventJson(1_000 + tile, tile, 'booted', payload, tilePayloadJson(tile));
    }
    expect(given.keptLineList).toEqual(generic.keptLineList);
    expect(given.close()).toBe(generic.close());
    expect(seen.map(([kind, p]) => `${kind} ${(p as { tile: number }).tile}`)).toEqual(['booted 0', 'booted 1', 'booted 9', 'booted 10', 'booted 4095', 'booted 65535']);
  });
});
