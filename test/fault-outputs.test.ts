// The fault commands' outputs go through sim/cli/output-file.ts: campaign.json/csv and
// capsules (campaign --out), faults --record and shrink --out are refused, before anything
// runs, when they name a file the command reads (also through a link) or a key; the input
// is left byte-identical.
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SIGNING_KEY_PATH } from '../tile/build/paths.ts';
import { cogsim, type CliResult } from './helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cogsim-fault-outputs-'));
const file = (name: string) => join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TINY = ['--tiles', '2', '--vectors', '60', '--dim', '16', '--queries', '2', '--clusters', '2'];

function refused(r: CliResult, mentions: RegExp): void {
  expect(r.status).toBe(2);
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(mentions);
}

describe('fault command outputs never overwrite an input or a key', () => {
  it('campaign: --out holding the --baseline campaign.json is refused before any run', () => {
    mkdirSync(file('camp'));
    const sweep = ['campaign', ...TINY, '--seeds', '1', '--rates', '0.05', '--kinds', 'drop', '--threads', '1', '--out', file('camp')];
    expect(cogsim(sweep, 300_000).status).toBe(0);
    const before = readFileSync(file('camp/campaign.json'), 'utf8');
    refused(cogsim([...sweep, '--baseline', file('camp/campaign.json')]), /--out .*campaign\.json is the same file as --baseline/);
    // Through a symbolic link too.
    symlinkSync(file('camp/campaign.json'), file('baseline-link.json'));
    refused(cogsim([...sweep, '--baseline', file('baseline-link.json')]), /--out .*campaign\.json is the same file as --baseline .*baseline-link\.json/);
    expect(readFileSync(file('camp/campaign.json'), 'utf8')).toBe(before);
  }, 600_000);

  it('faults --record over its --plan or --script, or over a key, and shrink --out over its capsule, are refused', () => {
    const plan = JSON.stringify({ phases: [{ kind: 'drop', tiles: '0', fromMs: 0, rate: 0.2 }] });
    writeFileSync(file('plan.json'), plan);
    refused(cogsim(['faults', ...TINY, '--rate', '0', '--plan', file('plan.json'), '--record', file('plan.json')]), /--record .*plan\.json is the same file as --plan/);
    expect(readFileSync(file('plan.json'), 'utf8')).toBe(plan);
    refused(cogsim(['faults', ...TINY, '--rate', '0.05', '--record', SIGNING_KEY_PATH]), /--record .* is the same file as the build signing key/);

    expect(cogsim(['faults', ...TINY, '--rate', '0.05', '--record', file('run.json')], 300_000).status).toBe(0);
    const capsule = readFileSync(file('run.json'), 'utf8');
    refused(cogsim(['faults', ...TINY, '--rate', '0', '--script', file('run.json'), '--record', file('run.json')]), /--record .*run\.json is the same file as --script/);
    linkSync(file('run.json'), file('run-hardlink.json'));
    refused(cogsim(['shrink', file('run.json'), '--out', file('run-hardlink.json')]), /--out .*run-hardlink\.json is the same file as the capsule/);
    expect(readFileSync(file('run.json'), 'utf8')).toBe(capsule);
  }, 600_000);
});
