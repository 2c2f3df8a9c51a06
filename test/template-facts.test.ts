// A template's facts (protocol/template-facts.ts): the hub's stats, the transport and the
// trace read a message's type, length and LOAD_BLOCK figures from numbers made once when its
// template is encoded, no longer from the template's bytes. They must be what the old code
// read from the bytes, for every kind of message the hub sends: checked here on every message
// of whole runs in every mode and encoding (plain, LZ4, sealed, verify-crc, stage-only, SQ
// parameters, PQ6 pieces, HNSW batches, chunked queries, pull walks), against the old reads
// written out as they were.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP_SHARED_BYTES } from '../hub/chip/chip-memory.ts';
import type { Outgoing } from '../hub/core/mode-driver.ts';
import { encodeMessage } from '../protocol/codec.ts';
import { BlockFlag, HEADER, HEADER_BYTES, LoadBlock, LoadQuery, MsgType } from '../protocol/constants.ts';
import { stampedLength, stampedLengthOf, stampedType, stampedTypeOf } from '../protocol/stamped-message.ts';
import { blockChunkDataBytes, FACT_BLOCK_FLAGS, FACT_LENGTH, FACT_STREAM_BYTES, FACT_TYPE, FACTS_STRIDE, TemplateTable, templateSet } from '../protocol/template-facts.ts';
import type { RunConfig } from '../sim/run/run-config.ts';
import { buildSimulation, runSimulation, type BuildOptions } from '../sim/run/simulation.ts';
import { pushConfig } from './helpers/push-run.ts';

/** What HubStats.countBlockChunk read from a LOAD_BLOCK chunk's bytes before the facts (as it was). */
function oldChunkReads(message: Uint8Array): { data: number; lz4: boolean; stream: number } {
  const data = (message[HEADER.length]! | (message[HEADER.length + 1]! << 8)) - LoadBlock.headerBytes;
  if (message[HEADER_BYTES + LoadBlock.flags]! & BlockFlag.LZ4) {
    const at = HEADER_BYTES + LoadBlock.headerBytes;
    return { data, lz4: true, stream: (message[at]! | (message[at + 1]! << 8) | (message[at + 2]! << 16) | (message[at + 3]! << 24)) >>> 0 };
  }
  return { data, lz4: false, stream: data };
}

/** The same figures as HubStats now reads them, from the facts the message carries. */
function chunkReadsFromFacts(out: Outgoing): { data: number; lz4: boolean; stream: number } {
  return { data: blockChunkDataBytes(out.length), lz4: (out.blockFlags & BlockFlag.LZ4) !== 0, stream: out.streamBytes >>> 0 };
}

/** What a run sent, by kind, so a case that covers nothing fails. */
interface Seen {
  messages: number;
  types: Set<number>;
  sealed: number;
  lz4: number;
  blockFlags: number;
  /** LOAD_QUERY parts after the first (a query sent in chunks). */
  queryParts: number;
}

/**
 * Runs `config` with the hub's two readers of a message watched: every Outgoing the stats
 * count and every send the transport gets must carry its template's facts as the old code
 * read them from the bytes (stampedLength, stampedType, countBlockChunk's header reads).
 */
function watchedRun(overrides: Partial<RunConfig>, opts: BuildOptions = {}): Seen {
  const s = buildSimulation(pushConfig(overrides), { cacheDir: null, ...opts });
  const seen: Seen = { messages: 0, types: new Set(), sealed: 0, lz4: 0, blockFlags: 0, queryParts: 0 };
  const stats = s.hub.stats;
  const count = stats.countSent.bind(stats);
  stats.countSent = (out: Outgoing): void => {
    const t = out.template;
    expect(stampedLengthOf(out.length, out.sealed)).toBe(stampedLength(t, out.sealed));
    expect(stampedTypeOf(out.type, out.sealed)).toBe(stampedType(t, out.sealed));
    if (out.requestType === 'LOAD_BLOCK') {
      expect(chunkReadsFromFacts(out)).toEqual(oldChunkReads(t));
      expect(out.blockFlags).toBe(t[HEADER_BYTES + LoadBlock.flags]);
      seen.blockFlags |= out.blockFlags;
      if (out.blockFlags & BlockFlag.LZ4) seen.lz4++;
    } else {
      expect([out.blockFlags, out.streamBytes]).toEqual([0, 0]);
    }
    if (out.type === MsgType.LOAD_QUERY && (t[HEADER_BYTES + LoadQuery.offset]! | t[HEADER_BYTES + LoadQuery.offset + 1]!) !== 0) seen.queryParts++;
    seen.messages++;
    seen.types.add(out.type);
    if (out.sealed) seen.sealed++;
    count(out);
  };
  const transport = s.transport;
  const send = transport.send.bind(transport);
  transport.send = (tileId, template, msgId, sealed, type, length) => {
    expect(stampedLengthOf(length, sealed)).toBe(stampedLength(template, sealed));
    expect(stampedTypeOf(type, sealed)).toBe(stampedType(template, sealed));
    return send(tileId, template, msgId, sealed, type, length);
  };
  runSimulation(s);
  s.trace.close();
  expect(s.hub.stats.messagesSent).toBe(seen.messages);
  return seen;
}

const CHIPS: Partial<RunConfig> = { tiles: 4, chips: { chips: 2, tilesPerChip: 2, sharedBytes: DEFAULT_CHIP_SHARED_BYTES, cache: true } };
const SEALED: BuildOptions = { hub: { integrity: true } };
const T = MsgType;

describe("a template's facts equal what the old code read from its bytes, on every message sent", () => {
  it('push, fp16, plain chunks, with and without verify-crc and the seal', () => {
    for (const verifyCrc of [false, true]) {
      for (const opts of [{}, SEALED]) {
        const seen = watchedRun({ verifyCrc, queries: 3 }, opts);
        expect([...seen.types].sort((x, y) => x - y)).toEqual([T.LOAD_QUERY, T.LOAD_BLOCK, T.READ_TOPK].sort((x, y) => x - y));
        expect(seen.sealed).toBe(opts === SEALED ? seen.messages : 0);
        expect((seen.blockFlags & BlockFlag.VERIFY_CRC) !== 0).toBe(verifyCrc);
        expect(seen.blockFlags & BlockFlag.FINAL).toBeTruthy();
      }
    }
  });

  it('push, block-stationary (stage-only chunks, COMPUTE), sealed', () => {
    const seen = watchedRun({ schedule: 'block', queries: 3 }, SEALED);
    expect(seen.blockFlags & BlockFlag.STAGE_ONLY).toBeTruthy();
    expect(seen.types.has(T.COMPUTE)).toBe(true);
    expect(seen.sealed).toBe(seen.messages);
  });

  it('push, i8 (the SQ parameters as LOAD_PARAMS, dequantized chunks)', () => {
    const seen = watchedRun({ dtype: 'i8', queries: 3 });
    expect(seen.types.has(T.LOAD_PARAMS)).toBe(true);
    expect(seen.blockFlags & BlockFlag.DEQUANT).toBeTruthy();
  });

  it('push, LZ4 chunks on chips, and a 1,024-dim query sent in parts (Hot data), sealed', () => {
    const lz4 = watchedRun({ dim: 100, vectors: 300, queries: 3, lz4: true, ...CHIPS }, SEALED);
    expect(lz4.lz4).toBeGreaterThan(0);
    const wide = watchedRun({ dim: 1024, vectors: 60, queries: 2, clusters: 2, lz4: true, ...CHIPS });
    expect(wide.queryParts).toBeGreaterThan(0);
  });

  it('push, PQ6 on chips: the codebook pieces after every LOAD_QUERY', () => {
    const seen = watchedRun({ dtype: 'pq6', dim: 32, vectors: 300, queries: 3, ...CHIPS });
    expect(seen.types.has(T.LOAD_PARAMS)).toBe(true);
  });

  it('push-hnsw: batch chunks (explicit ids, a fresh top-K), plain and LZ4', () => {
    const seen = watchedRun({ mode: 'push-hnsw', queries: 3 });
    expect(seen.blockFlags & BlockFlag.FRESH_TOPK).toBeTruthy();
    expect(seen.blockFlags & BlockFlag.EXPLICIT_IDS).toBeTruthy();
    const lz4 = watchedRun({ mode: 'push-hnsw', dim: 100, vectors: 150, queries: 3, lz4: true, ...CHIPS }, SEALED);
    expect(lz4.lz4).toBeGreaterThan(0);
  });

  it('pull: the walk messages made per send (LOAD_NEIGHBORS, explicit-id blocks), plain and sealed', () => {
    for (const opts of [{}, SEALED]) {
      const seen = watchedRun({ mode: 'pull', queries: 3 }, opts);
      expect(seen.types.has(T.LOAD_NEIGHBORS)).toBe(true);
      expect(seen.blockFlags & BlockFlag.EXPLICIT_IDS).toBeTruthy();
    }
  });
});

describe('TemplateTable', () => {
  const chunk = (n: number, flags: number): Uint8Array =>
    encodeMessage({ type: 'LOAD_BLOCK', msgId: 0, offset: 0, count: 1, dtype: 1, flags, firstId: 0n, crc32c: 0, totalBytes: n, data: new Uint8Array(n) });

  it('numbers templates on across adds and growth, each fact at n * FACTS_STRIDE', () => {
    const table = new TemplateTable(1);
    const sets = [table.add([chunk(10, 0), chunk(20, 1)]), table.add([]), table.add([encodeMessage({ type: 'READ_TOPK', msgId: 0 })])];
    expect(sets.map((s) => [s.first, s.count])).toEqual([[0, 2], [2, 0], [2, 1]]);
    expect(sets.every((s) => s.table === table)).toBe(true);
    const f = (n: number, fact: number): number => table.facts[n * FACTS_STRIDE + fact]!;
    expect([f(0, FACT_TYPE), f(0, FACT_LENGTH), f(0, FACT_BLOCK_FLAGS), f(0, FACT_STREAM_BYTES)]).toEqual([T.LOAD_BLOCK, table.bytes[0]!.length, 0, 10]);
    expect([f(1, FACT_BLOCK_FLAGS), f(1, FACT_STREAM_BYTES)]).toEqual([1, 20]);
    expect([f(2, FACT_TYPE), f(2, FACT_LENGTH), f(2, FACT_BLOCK_FLAGS), f(2, FACT_STREAM_BYTES)]).toEqual([T.READ_TOPK, HEADER_BYTES, 0, 0]);
    expect(templateSet([chunk(4, 0)]).table).not.toBe(templateSet([chunk(4, 0)]).table);
  });

  it('refuses a template whose header does not say its size, naming both figures', () => {
    const m = chunk(10, 0);
    expect(() => templateSet([m.subarray(0, m.length - 1)])).toThrow(`a message template's header gives ${m.length - HEADER_BYTES} B of payload, it has ${m.length - 1 - HEADER_BYTES} B`);
    expect(() => templateSet([new Uint8Array(3)])).toThrow(`a message template needs its ${HEADER_BYTES} B header, this one has 3 B`);
  });
});
