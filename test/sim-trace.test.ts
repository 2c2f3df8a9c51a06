import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TraceRecorder, TraceClosedError } from '../sim/trace.ts';
import { canonicalJson, CanonicalJsonError } from '../sim/canonical-json.ts';
import { tempDirs } from './helpers/temp-dir.ts';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

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

  it('hashes exactly the JSON lines it records', () => {
    const trace = new TraceRecorder({ keepLines: true });
    trace.recordEvent(5, 0, 'compute', { tile: 2, block: 7 });
    trace.record({ fault: 'drop', tile: 3 });
    const expected = '{"kind":"compute","payload":{"block":7,"tile":2},"seq":0,"t":5}\n{"fault":"drop","tile":3}\n';
    expect(trace.keptLineList.join('\n') + '\n').toBe(expected);
    expect(trace.hashHex()).toBe(sha256(expected));
    expect(trace.lineCount).toBe(2);
    expect(trace.byteCount).toBe(Buffer.byteLength(expected));
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
    expect(first).toBe(sha256('{"a":1}\n'));
    expect(trace.close()).toBe(sha256('{"a":1}\n{"a":2}\n'));
    expect(trace.hashHex()).toBe(trace.close());
  });

  it('gives the same hash whatever the flush batch size', () => {
    const small = new TraceRecorder({ flushChars: 1 });
    const large = new TraceRecorder();
    for (let i = 0; i < 500; i++) {
      small.recordEvent(i, i, 'tick', { i });
      large.recordEvent(i, i, 'tick', { i });
    }
    expect(small.close()).toBe(large.close());
  });

  it('streams to a .jsonl file whose sha256 equals the trace hash', () => {
    const path = join(tempDir(), 'run.jsonl');
    const trace = new TraceRecorder({ filePath: path, flushChars: 100 });
    for (let i = 0; i < 100; i++) trace.recordEvent(i * 10, i, 'step', { tile: i % 4 });
    const hash = trace.close();
    const text = readFileSync(path, 'utf8');
    expect(text.split('\n').length).toBe(101);
    expect(sha256(text)).toBe(hash);
  });

  it('refuses entries after close', () => {
    const trace = new TraceRecorder();
    trace.close();
    expect(() => trace.record({ a: 1 })).toThrow(TraceClosedError);
  });
});
