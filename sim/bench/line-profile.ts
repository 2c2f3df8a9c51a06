// A line-level CPU profile of the simulator's run. tsx's transform puts every module on one
// line, so a profile of tsx-loaded code names functions but not lines. This bundles the
// throughput bench with esbuild, line breaks kept, runs the bundle with --profile (the run
// alone, as sim-throughput.ts profiles it), and lists the heaviest functions and source
// lines of the bundle with their text (docs/performance.md, "Taking a profile").
//
// Run: npx tsx sim/bench/line-profile.ts [--cases default-full] [--out DIR] [--top 60] [--lines FROM-TO]
// (--lines lists one range of the bundle, e.g. a function found with grep -n, from the last profile.)
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { functionTicks, lineTicks, msPerTick, totalTicks, type CpuProfile } from './profile-lines.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
/** Beside sim-throughput.ts, so its paths to the repository (build/kernel) hold; git-ignored. */
export const BUNDLE = join(HERE, '.bundle.mjs');

/** Bundles the bench's command line into `outfile`, one source line per line. */
export async function bundleBench(outfile: string): Promise<void> {
  await build({
    stdin: { contents: "import { throughputMain } from './sim-throughput.ts';\nthroughputMain(process.argv);\n", resolveDir: HERE, loader: 'ts', sourcefile: 'line-profile-entry.ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
}

function option(argv: readonly string[], flag: string, fallback: string): string {
  const at = argv.indexOf(flag);
  return at > 0 && argv[at + 1] !== undefined ? argv[at + 1]! : fallback;
}

function print(profilePath: string, top: number, range: [number, number] | null): void {
  const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as CpuProfile;
  const source = readFileSync(BUNDLE, 'utf8').split('\n');
  const all = totalTicks(profile);
  const pct = (t: number): string => `${((100 * t) / all).toFixed(1).padStart(5)}%`;
  console.log(`${profilePath}: ${all} ticks of ${msPerTick(profile).toFixed(3)} ms`);
  const lines = lineTicks(profile, '/.bundle.mjs');
  if (range === null) {
    console.log(`\nfunctions by self ticks`);
    for (const f of functionTicks(profile).slice(0, top)) console.log(`${String(f.ticks).padStart(6)} ${pct(f.ticks)}  ${f.name}`);
    console.log(`\nlines of the bundle by ticks (${BUNDLE})`);
  }
  const shown = range === null ? lines.slice(0, top) : lines.filter((l) => l.line >= range[0] && l.line <= range[1]).sort((a, b) => a.line - b.line);
  for (const l of shown) console.log(`${String(l.ticks).padStart(6)} ${pct(l.ticks)} ${String(l.line).padStart(6)}  ${l.fn.padEnd(24).slice(0, 24)} ${(source[l.line - 1] ?? '').trim().slice(0, 110)}`);
}

if (process.argv[1]?.endsWith('line-profile.ts')) {
  const argv = process.argv;
  const out = option(argv, '--out', '/tmp/cogsim-line-profile');
  const top = Number(option(argv, '--top', '60'));
  const lines = option(argv, '--lines', '');
  const range = /^(\d+)-(\d+)$/.exec(lines);
  if (lines !== '' && range === null) {
    console.error(`--lines: FROM-TO, two line numbers of the bundle; got ${lines}`);
    process.exit(2);
  }
  if (range === null) {
    await bundleBench(BUNDLE);
    execFileSync(process.execPath, [BUNDLE, '--cases', option(argv, '--cases', 'default-full'), '--profile', out], { stdio: 'inherit' });
  }
  const profiles = existsSync(out) ? readdirSync(out).filter((f) => f.endsWith('.cpuprofile')).sort() : [];
  if (profiles.length === 0) {
    console.error(`line-profile: no .cpuprofile in ${out} (run without --lines first)`);
    process.exit(2);
  }
  print(join(out, profiles[profiles.length - 1]!), top, range === null ? null : [Number(range[1]), Number(range[2])]);
}
