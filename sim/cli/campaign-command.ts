// `cogsim campaign`: a fault sweep (seeds x rates x kind sets x modes x schedules x dtypes)
// on every core or on a Redis queue; writes campaign.json, campaign.csv and a capsule per
// failing run to --out (docs/faults.md, "Campaigns"). Exit 1 when a run lost or changed an
// answer or left a fault undetected, or when --baseline finds a regression.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { buildKernel } from '../../tile/build/build-kernel.ts';
import { compareWithBaseline, readBaselineRows } from '../campaign/baseline.ts';
import { campaignFailed, runCampaign, writeCampaign } from '../campaign/campaign.ts';
import { defaultThreads } from '../campaign/pool.ts';
import { checkQueueUrl } from '../campaign/queue.ts';
import { expandSweep, parseKindSets, parseList, parseRates, parseSeeds, type Sweep } from '../campaign/sweep.ts';
import { formatSummary } from '../campaign/summary.ts';
import { parsePlan } from '../faults/fault-plan.ts';
import { startStopwatch } from '../wallclock.ts';
import { CliError } from './cli-error.ts';
import { wholeNumber } from './options.ts';
import { progressBar } from './progress.ts';
import { addRunOptions, runConfigFrom, type RunFlags } from './run-command.ts';
import { refuseIfInput, writeAtomically, type NamedPath } from './output-file.ts';
import { renderCampaignReport } from '../report/render-campaign.ts';
import type { RunConfig } from '../run/run-config.ts';

interface CampaignFlags extends RunFlags {
  seeds?: string;
  rates: string;
  kinds: string;
  modes?: string;
  schedules?: string;
  dtypes?: string;
  plan?: string;
  sweep?: string;
  out: string;
  threads: number;
  queue?: string;
  baseline?: string;
  tolerance: string;
  report?: string;
}

function readJson(flag: string, path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CliError(`${flag} ${path}: ${(err as Error).message}`);
  }
}

/** A sweep file holds the same settings as the flags (strings as on the command line; "run" holds run flags). */
function withSweepFile(flags: CampaignFlags): CampaignFlags {
  if (!flags.sweep) return flags;
  const file = readJson('--sweep', flags.sweep) as Record<string, unknown>;
  if (typeof file !== 'object' || file === null) throw new CliError(`--sweep ${flags.sweep}: expected a JSON object`);
  const { run, ...sweep } = file;
  return { ...flags, ...(run as object), ...Object.fromEntries(Object.entries(sweep).map(([k, v]) => [k, String(v)])) } as CampaignFlags;
}

function sweepFrom(flags: CampaignFlags): Sweep {
  const plan = flags.plan ? readJson('--plan', flags.plan) : undefined;
  if (plan !== undefined) parsePlan(plan, flags.tiles, `--plan ${flags.plan}`); // checked once, here
  return {
    seeds: parseSeeds(flags.seeds ?? String(flags.seed)),
    rates: parseRates(flags.rates),
    kindSets: parseKindSets(flags.kinds),
    modes: parseList('--modes', flags.modes ?? flags.mode, ['push', 'pull', 'push-hnsw'] as const),
    schedules: parseList('--schedules', flags.schedules ?? flags.schedule, ['query', 'block'] as const),
    dtypes: parseList('--dtypes', flags.dtypes ?? flags.dtype, ['fp16', 'i8'] as const),
    ...(plan !== undefined ? { plan } : {}),
  };
}

/** What the campaign reads: none of its outputs may land on one (nor on a key). */
function campaignInputs(flags: CampaignFlags, base: RunConfig): NamedPath[] {
  const given: [string, string | undefined][] = [
    ['--sweep', flags.sweep], ['--plan', flags.plan], ['--baseline', flags.baseline],
    ['--data', base.dataPath], ['--query-file', base.queryPath], ['--kernel-file', base.kernelPath], ['--manifest', base.manifestPath],
    ['--index', base.pull.indexPath], ...(base.trustKeyPaths ?? []).map((p): [string, string] => ['--trust-key', p]),
  ];
  return given.filter((g): g is [string, string] => g[1] !== undefined).map(([flag, path]) => ({ flag, path }));
}

/** campaign.json and campaign.csv in --out, checked before the runs (a long campaign never
 *  ends in a refusal, e.g. --baseline DIR/campaign.json with --out DIR); capsules are checked
 *  as they are written. */
function refuseOutInputs(flags: CampaignFlags, inputs: readonly NamedPath[]): void {
  if (!existsSync(flags.out)) return; // nothing in it yet, so nothing it would overwrite
  for (const name of ['campaign.json', 'campaign.csv']) refuseIfInput({ flag: '--out', path: join(flags.out, name) }, inputs);
}

/** What the campaign reads, and the files it writes into --out: --report lands on none of them. */
function reportGuard(flags: CampaignFlags, base: RunConfig): NamedPath[] {
  const inputs = campaignInputs(flags, base);
  const report = resolve(flags.report!);
  // The campaign's own files may not exist yet, so refuseIfInput alone would miss them.
  for (const name of ['campaign.json', 'campaign.csv']) {
    if (resolve(join(flags.out, name)) === report) throw new CliError(`--report ${flags.report} is the campaign's own ${name} in --out ${flags.out}; choose another path`);
  }
  return inputs;
}

/** Without a terminal (a log file, CI): one line per tenth of the runs. */
function everyTenth(watch: { elapsedMs(): number }): (done: number, total: number) => void {
  let shown = 0;
  return (done, total) => {
    const tenth = Math.floor((done * 10) / total);
    if (tenth <= shown) return;
    shown = tenth;
    process.stderr.write(`runs ${done}/${total} after ${(watch.elapsedMs() / 1000).toFixed(0)} s\n`);
  };
}

export function registerCampaign(program: Command): void {
  const cmd = program
    .command('campaign')
    .description('run a fault sweep on every core (or a Redis queue); write campaign.json, campaign.csv and a capsule per failing run')
    .option('--seeds <list>', 'seeds: 1..500, 1,2,3 or a mix (default: --seed)')
    .option('--rates <list>', 'fault rates per message, comma-separated (each at most 0.25)', '0.1')
    .option('--kinds <sets>', "fault kind sets: 'all', 'each' (every kind alone), or sets separated by / such as trap,hang/drop", 'all')
    .option('--modes <list>', 'push, pull, push-hnsw (default: --mode)')
    .option('--schedules <list>', 'query, block (push only; default: --schedule)')
    .option('--dtypes <list>', 'fp16, i8 (push only; default: --dtype)')
    .option('--plan <file>', 'time-phased faults for every run, beside the rate (docs/faults.md)')
    .option('--sweep <file>', 'the sweep as JSON (the same settings as these flags; "run" holds run flags)')
    .option('--out <dir>', 'folder for campaign.json, campaign.csv and capsules', 'campaign-out')
    .option('--threads <n>', 'local pool threads (default: every core)', wholeNumber('--threads'), defaultThreads())
    .option('--queue <url>', 'redis://host:port: put the runs on a BullMQ queue for `cogsim worker` processes')
    .option('--baseline <file>', 'an earlier campaign.json: exit 1 when lost/differing/undetected rise or latency grows beyond --tolerance')
    .option('--tolerance <x>', 'latency growth allowed against --baseline (0.05 is 5%)', '0.05')
    .option('--report <file.html>', "write a self-contained HTML report: totals and the sweep's curves (recall, p50/p99 latency against rate)");
  addRunOptions(cmd).action(async (given: CampaignFlags) => {
    const flags = withSweepFile(given);
    if (flags.threads < 1) throw new CliError(`--threads must be at least 1, got ${flags.threads}`);
    const tolerance = Number(flags.tolerance);
    if (!(tolerance >= 0 && tolerance <= 10)) throw new CliError(`--tolerance must be a number in 0..10, got '${flags.tolerance}'`);
    if (flags.queue) checkQueueUrl(flags.queue);
    const sweep = sweepFrom(flags);
    const baseline = flags.baseline ? readBaselineRows(flags.baseline) : null;
    const base = runConfigFrom(flags);
    const inputs = campaignInputs(flags, base);
    refuseOutInputs(flags, inputs);
    if (flags.report) refuseIfInput({ flag: '--report', path: flags.report }, reportGuard(flags, base));
    const { tasks, skipped } = expandSweep(base, sweep);
    if (tasks.length === 0) throw new CliError(`the sweep has no run a mode supports (${skipped} combinations left out: pull and push-hnsw are query-stationary fp16)`);
    await buildKernel();
    const watch = startStopwatch();
    process.stderr.write(`campaign: ${tasks.length} runs${skipped ? ` (${skipped} combinations a mode does not have left out)` : ''} on ${flags.queue ?? `${flags.threads} threads`}\n`);
    const bar = progressBar('runs') ?? everyTenth(watch);
    const results = await runCampaign(tasks, { threads: flags.threads, ...(flags.queue ? { queue: flags.queue } : {}), ...(bar ? { onProgress: bar } : {}) });
    const record = { ...sweep, base, skipped };
    const c = writeCampaign(flags.out, record, tasks, results, (path, data) => writeAtomically({ flag: '--out', path }, inputs, data));
    const lines = [formatSummary(c.summary, c.totals), `wall time ${(watch.elapsedMs() / 1000).toFixed(1)} s; results in ${flags.out}/campaign.json and campaign.csv`];
    if (flags.report) {
      writeAtomically({ flag: '--report', path: flags.report }, reportGuard(flags, base), renderCampaignReport({ sweep: record, totals: c.totals, summary: c.summary }));
      lines.push(`report in ${flags.report}`);
    }
    if (c.capsules.length > 0) lines.push(`${c.capsules.length} failing runs saved as capsules in ${flags.out}: replay with cogsim replay ${flags.out}/${c.capsules[0]}, shrink with cogsim shrink`);
    let regressed = false;
    if (baseline) {
      const cmp = compareWithBaseline(c.rows, baseline, tolerance);
      lines.push(`baseline ${flags.baseline}: ${cmp.matched} runs compared, ${cmp.unmatched} new`);
      for (const r of cmp.regressions) lines.push(`REGRESSION: ${r}`);
      regressed = cmp.regressions.length > 0;
    }
    console.log(lines.join('\n'));
    if (campaignFailed(c.totals) || regressed) process.exitCode = 1;
  });
}
