// Self time by source line and by function from a V8 .cpuprofile. A sample's line is in its
// node's positionTicks (1-based line of the script the node's function belongs to; code
// inlined into it is counted under its caller's node, at the inlined function's own lines).
// Used on the bundle line-profile.ts makes: tsx puts each module on one line, so only a
// bundle with line breaks kept tells lines apart.

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  positionTicks?: { line: number; ticks: number }[];
}

/** A V8 .cpuprofile, as profile-buckets.ts and this file read it. */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** Microseconds before each sample (profile-buckets.ts weighs samples by them). */
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface LineTicks {
  line: number;
  ticks: number;
  /** The function whose node took the most of this line's ticks. */
  fn: string;
}

/** Milliseconds one sample stands for: the profile's span over its samples. */
export function msPerTick(profile: CpuProfile): number {
  return profile.samples.length === 0 ? 0 : (profile.endTime - profile.startTime) / 1000 / profile.samples.length;
}

/** Every sample, wherever it fell (kernel, GC and builtins included): the denominator of a share. */
export function totalTicks(profile: CpuProfile): number {
  let n = 0;
  for (const node of profile.nodes) n += node.hitCount ?? 0;
  return n;
}

/** Ticks per line of the script whose url ends with `urlSuffix`, heaviest first. */
export function lineTicks(profile: CpuProfile, urlSuffix: string): LineTicks[] {
  const lines = new Map<number, { ticks: number; byFn: Map<string, number> }>();
  for (const node of profile.nodes) {
    if (!node.callFrame.url.endsWith(urlSuffix)) continue;
    const fn = node.callFrame.functionName || '(anonymous)';
    for (const { line, ticks } of node.positionTicks ?? []) {
      let entry = lines.get(line);
      if (entry === undefined) lines.set(line, (entry = { ticks: 0, byFn: new Map() }));
      entry.ticks += ticks;
      entry.byFn.set(fn, (entry.byFn.get(fn) ?? 0) + ticks);
    }
  }
  const out: LineTicks[] = [];
  for (const [line, { ticks, byFn }] of lines) {
    let fn = '';
    let most = -1;
    for (const [name, t] of byFn) if (t > most) [fn, most] = [name, t];
    out.push({ line, ticks, fn });
  }
  // Ties by line, so a listing is the same for the same profile.
  return out.sort((a, b) => b.ticks - a.ticks || a.line - b.line);
}

/** Self ticks per function (name, script's last path part, line of its definition), heaviest first. */
export function functionTicks(profile: CpuProfile): { name: string; ticks: number }[] {
  const byName = new Map<string, number>();
  for (const node of profile.nodes) {
    const f = node.callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    byName.set(name, (byName.get(name) ?? 0) + (node.hitCount ?? 0));
  }
  return [...byName].map(([name, ticks]) => ({ name, ticks })).sort((a, b) => b.ticks - a.ticks || (a.name < b.name ? -1 : 1));
}
