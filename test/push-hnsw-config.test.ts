import { describe, expect, it } from 'vitest';
import { CliError } from '../sim/cli/cli-error.ts';
import { DEFAULT_RUN, checkRunConfig, pushHnswIndex, type RunConfig } from '../sim/run/run-config.ts';

const base: RunConfig = { ...DEFAULT_RUN, mode: 'push-hnsw', tiles: 4, meshRows: 2, meshCols: 2, vectors: 500, dim: 16, queries: 2 };

describe('push-hnsw index settings', () => {
  it('are its own where given', () => {
    const c = { ...base, pull: { ...base.pull, M: 16, efConstruction: 200, indexPath: 'a.hnsw' }, pushHnsw: { ef: 64, M: 8, efConstruction: 50, indexPath: 'b.hnsw' } };
    expect(pushHnswIndex(c)).toEqual({ M: 8, efConstruction: 50, indexPath: 'b.hnsw' });
  });

  it('fall back to the shared --M / --ef-construction / --index flags where not', () => {
    const c = { ...base, pull: { ...base.pull, M: 12, efConstruction: 90, indexPath: 'a.hnsw' }, pushHnsw: { ef: 64 } };
    expect(pushHnswIndex(c)).toEqual({ M: 12, efConstruction: 90, indexPath: 'a.hnsw' });
    expect(pushHnswIndex({ ...c, pull: { ...c.pull, indexPath: undefined } as RunConfig['pull'] })).toEqual({ M: 12, efConstruction: 90 });
  });

  it('are checked as push-hnsw uses them: M 128 passes, 129 fails with the limit and the value', () => {
    expect(() => checkRunConfig({ ...base, pushHnsw: { ef: 64, M: 128 } })).not.toThrow();
    expect(() => checkRunConfig({ ...base, pushHnsw: { ef: 64, M: 129 } })).toThrow(new CliError('--M must be a whole number in 2..128, got 129'));
    expect(() => checkRunConfig({ ...base, pushHnsw: { ef: 64, efConstruction: 0 } })).toThrow(new CliError('--ef-construction must be a whole number of at least 1, got 0'));
  });
});
