// `npm run bench -- --baseline old.json`: this run's ratios against a committed baseline's.
// A ratio regresses when it moved the wrong way by more than `tolerance` (a fraction of the
// baseline's value); a ratio missing on either side is named, never counted as a pass.

export interface BenchRatio {
  name: string;
  value: number;
  /** Which way is better: a speed-up ratio is 'higher', an overhead 'lower'. */
  better: 'higher' | 'lower';
  note?: string;
}

export function compareWithBaseline(now: readonly BenchRatio[], base: readonly BenchRatio[], tolerance: number): { regressed: boolean; lines: string[] } {
  const lines = [`baseline comparison (tolerance ${(tolerance * 100).toFixed(0)}%)`];
  let regressed = false;
  for (const b of base) {
    const r = now.find((x) => x.name === b.name);
    if (!r) {
      lines.push(`  MISSING   ${b.name}: in the baseline, not in this run`);
      regressed = true;
      continue;
    }
    const worse = b.better === 'higher' ? r.value < b.value * (1 - tolerance) : r.value > b.value * (1 + tolerance);
    if (worse) regressed = true;
    lines.push(`  ${worse ? 'REGRESSED' : 'ok       '} ${b.name}: ${r.value.toFixed(3)} vs baseline ${b.value.toFixed(3)} (${b.better} is better)`);
  }
  for (const r of now) if (!base.some((b) => b.name === r.name)) lines.push(`  new       ${r.name}: ${r.value.toFixed(3)} (not in the baseline)`);
  return { regressed, lines };
}
