import { describe, expect, it } from 'vitest';
import { KeyLog } from '../hub/machines/key-log.ts';

describe('key log', () => {
  it('holds each key once, in the order added', () => {
    const log = KeyLog.of(['b', 'a', 'b']).with('c').with('a');
    expect(log.keys()).toEqual(['b', 'a', 'c']);
    expect(log.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((k) => log.has(k))).toEqual([true, true, true, false]);
  });

  it('returns the very same log for a key it holds', () => {
    const log = KeyLog.of(['a']);
    expect(log.with('a')).toBe(log);
  });

  it('keeps an older log unchanged when a newer one of its line grows', () => {
    const old = KeyLog.of(['a']);
    const next = old.with('b');
    expect(old.has('b')).toBe(false);
    expect(old.keys()).toEqual(['a']);
    expect(old.size).toBe(1);
    expect(next.keys()).toEqual(['a', 'b']);
  });

  it('keeps two futures of one log apart (an older log appended to again)', () => {
    const root = KeyLog.of(['a']);
    const left = root.with('b').with('c');
    const right = root.with('c');
    expect(right.keys()).toEqual(['a', 'c']);
    expect(right.has('b')).toBe(false);
    expect(left.keys()).toEqual(['a', 'b', 'c']);
    // Each future grows on its own; the root still holds only its key.
    const right2 = right.with('b');
    const left2 = left.with('d');
    expect(right2.keys()).toEqual(['a', 'c', 'b']);
    expect(left2.keys()).toEqual(['a', 'b', 'c', 'd']);
    expect(right2.has('d')).toBe(false);
    expect(left2.has('d')).toBe(true);
    expect(root.keys()).toEqual(['a']);
  });

  it('matches a plain Set over random appends from random earlier logs', () => {
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const logs: { log: KeyLog; model: string[] }[] = [{ log: KeyLog.of([]), model: [] }];
    for (let i = 0; i < 2_000; i++) {
      const from = logs[next(4) === 0 ? next(logs.length) : logs.length - 1]!;
      const key = `k${next(300)}`;
      const model = from.model.includes(key) ? from.model : [...from.model, key];
      logs.push({ log: from.log.with(key), model });
    }
    for (const { log, model } of logs) {
      expect(log.keys()).toEqual(model);
      expect(log.size).toBe(model.length);
    }
    const last = logs.at(-1)!;
    for (let k = 0; k < 300; k++) expect(last.log.has(`k${k}`)).toBe(last.model.includes(`k${k}`));
  });
});
