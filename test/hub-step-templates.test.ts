// A block stream step notes its first chunk template when it is planned (job-planner.ts), and
// the step link starts the stream from it without the builder's block table
// (docs/performance.md, "The hub per chunk, round 7"). The noted number must be the one the
// builder's lookup gives, for every block, staged (block-stationary) or not, plain or sealed,
// and a link must send exactly the templates the lookup would have given.
import { afterAll, describe, expect, it } from 'vitest';
import { StepLink } from '../hub/modes/step-link.ts';
import type { JobStep, ProbeUnit, ScanUnit } from '../hub/work/job.ts';
import { JobPlanner } from '../hub/work/job-planner.ts';
import { MessageBuilder } from '../hub/work/message-builder.ts';
import { DEFAULT_RUN } from '../sim/run/run-config.ts';
import { buildSimulation } from '../sim/run/simulation.ts';

const sim = buildSimulation({ ...DEFAULT_RUN, tiles: 4, meshRows: 2, meshCols: 2, vectors: 600, dim: 64, queries: 2, clusters: 4 });
const data = sim.encoded;
afterAll(() => sim.trace.close());

function plannerOf(messages: MessageBuilder, noted: boolean): JobPlanner {
  return new JobPlanner({
    chunksPerBlock: (b) => messages.chunkCount(b),
    firstBlockTemplate: noted ? (b, stageOnly) => messages.firstBlockTemplate(b, stageOnly) : undefined,
    paramsChunks: messages.paramsChunkCount,
  });
}

const blocks = Array.from({ length: data.blockCount }, (_, b) => b);
const units = (): (ScanUnit | ProbeUnit)[] => [
  { kind: 'scan', queryId: 0, blockIds: blocks, key: 'q0/s0' },
  ...blocks.map((blockId): ProbeUnit => ({ kind: 'probe', queryId: 1, blockId, key: `q1/b${blockId}` })),
];

describe("a block stream's first template, noted at plan time", () => {
  for (const integrity of [false, true]) {
    it(`is the builder's own lookup for every block, staged or not (integrity ${integrity})`, () => {
      const messages = new MessageBuilder(data, { verifyCrc: false, integrity });
      const job = plannerOf(messages, true).plan(units(), false);
      const streams = job.steps.filter((s): s is Extract<JobStep, { op: 'stream' }> => s.op === 'stream');
      expect(streams.length).toBe(2 * data.blockCount);
      expect(streams.some((s) => s.stageOnly)).toBe(true);
      for (const step of streams) {
        const set = messages.streamTemplates(step);
        expect(set.table).toBe(messages.blockTable);
        expect(step.firstTemplate).toBe(set.first);
        expect(step.chunks).toBe(set.count);
      }
    });

    it(`makes a link send the templates it sent when it looked them up (integrity ${integrity})`, () => {
      const sent = (noted: boolean): Uint8Array[] => {
        const messages = new MessageBuilder(data, { verifyCrc: false, integrity });
        const planner = plannerOf(messages, noted);
        const link = new StepLink({ tileId: 0, messages, planner, replayable: integrity });
        const job = link.plan(units());
        const out: Uint8Array[] = [];
        // Every step in order, as the machine would hand them over: a run goes on below it
        // until a read, and the machine starts the step after the read.
        for (let at = 0; at < job.steps.length; at = link.step + 1) {
          out.push(link.send(job, at, job.steps.length - 1).template);
          while (link.continuesOnDone()) out.push(link.continueOnDone().template);
        }
        return out;
      };
      const looked = sent(false);
      expect(looked.length).toBeGreaterThan(2 * data.blockCount);
      expect(sent(true)).toEqual(looked);
    });
  }
});
