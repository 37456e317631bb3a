/**
 * Where a CPU profile's time goes: the functions with the most self time, and self time by source
 * (our src/ files, hono, @hono/node-server, prom-client, node internals…). For profiles written by
 * `BENCH_CPU_PROF=<dir> npm run bench:http -w server` (or any `node --cpu-prof`).
 *
 *   tsx bench/cpu-profile.ts <file.cpuprofile> [top=30] [window=<from>-<to> s before the end] [requests in it]
 *
 * With a window (e.g. `7.5-1.5`: the samples taken between 7.5 s and 1.5 s before the profile ended,
 * inside the last load phase) and the requests answered in it, shares become µs per request.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg, windowArg, requestsArg] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx bench/cpu-profile.ts <file.cpuprofile> [top]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
const [fromEnd, toEnd] = (windowArg ?? '').split('-').map((x) => Number(x) * 1e6);
const sampleTimes: number[] = [];
profile.timeDeltas.reduce((at, delta, i) => (sampleTimes[i] = at + delta), 0);
const end = sampleTimes.at(-1) ?? 0;
profile.samples.forEach((id, i) => {
  if (fromEnd !== undefined && toEnd !== undefined && windowArg && (sampleTimes[i]! < end - fromEnd || sampleTimes[i]! > end - toEnd)) return;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const source = (url: string): string => {
  if (!url) return '(native / vm)';
  const match = /\/server\/(src\/.*)$/.exec(url) ?? /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?:dist\/)?(.*)$/.exec(url);
  if (match?.[2]) return `${match[1]}/${match[2]}`;
  if (match) return match[1]!;
  return url.startsWith('node:') ? 'node internals' : url;
};
const bySource = new Map<string, number>();
const byFunction = new Map<string, number>();
for (const [id, us] of selfUs) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  bySource.set(source(url), (bySource.get(source(url)) ?? 0) + us);
  const name = `${functionName || '(anonymous)'} ${source(url)}:${lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
}
// Inclusive time of our own functions (src/): each sample counted once for every function on its stack.
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const { functionName, url, lineNumber } = byId.get(at)!.callFrame;
    if (!url.includes('/server/src/') && !url.includes('/hono/dist/') && !url.includes('/node-server/dist/')) continue;
    const name = `${functionName || '(anonymous)'} ${source(url)}:${lineNumber + 1}`;
    if (!seen.has(name)) {
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }
}
const requests = Number(requestsArg ?? 0);
const share = (us: number) => (requests ? `${(us / requests).toFixed(2).padStart(6)} µs` : `${((100 * us) / total).toFixed(1).padStart(5)} %`);
const top = Number(topArg ?? 30);
process.stdout.write(`self time by source (${(total / 1e6).toFixed(1)} s sampled)\n`);
for (const [name, us] of [...bySource].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${share(us)}  ${name}\n`);
process.stdout.write('\nself time by function\n');
for (const [name, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${share(us)}  ${name}\n`);
process.stdout.write('\ninclusive time of src/, hono and @hono/node-server functions\n');
for (const [name, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${share(us)}  ${name}\n`);
