// Where a sampling heap profile (.heapprofile, run-heap-profile.ts or DevTools) allocated:
// bytes by allocating function (self) and by call path, heaviest first.
// Run: npx tsx sim/bench/heap-profile-top.ts FILE.heapprofile [--top 30]
import { readFileSync } from 'node:fs';

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

const where = (n: HeapNode): string => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(wt-[^/]+|main[^/]*)\//, '')}:${n.callFrame.lineNumber + 1}`;

export function heapTop(root: HeapNode, top: number): string {
  const self = new Map<string, number>();
  const paths = new Map<string, number>();
  let total = 0;
  const walk = (n: HeapNode, stack: string[]): void => {
    const here = where(n);
    if (n.selfSize > 0) {
      total += n.selfSize;
      self.set(here, (self.get(here) ?? 0) + n.selfSize);
      const path = [...stack.slice(-3), here].join(' > ');
      paths.set(path, (paths.get(path) ?? 0) + n.selfSize);
    }
    for (const c of n.children) walk(c, [...stack, here]);
  };
  walk(root, []);
  const mb = (b: number): string => (b / 2 ** 20).toFixed(1).padStart(8);
  const rows = (m: Map<string, number>): string[] => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `${mb(v)} MiB ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  return [`sampled allocation ${mb(total)} MiB`, 'by function:', ...rows(self), 'by call path (3 callers > allocating function):', ...rows(paths)].join('\n');
}

if (process.argv[1]?.endsWith('heap-profile-top.ts')) {
  const file = process.argv[2];
  if (file === undefined) {
    console.error('usage: heap-profile-top.ts FILE.heapprofile [--top N]');
    process.exit(2);
  }
  const at = process.argv.indexOf('--top');
  const top = at > 0 ? Number(process.argv[at + 1]) : 30;
  let head: HeapNode;
  try {
    ({ head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode });
  } catch (err) {
    console.error(`heap-profile-top: ${file}: not a readable .heapprofile (${(err as Error).message.split('\n')[0]})`);
    process.exit(2);
  }
  process.stdout.on('error', () => process.exit(0)); // `| head` closes the pipe early
  console.log(heapTop(head, top));
}
