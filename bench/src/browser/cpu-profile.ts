// Where the page's main thread spends its time, from a CDP CPU profile: self time per function.

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

export interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  samples?: number[];
  timeDeltas?: number[];
}

export interface FunctionTime {
  name: string;
  selfMs: number;
}

/** The functions with the most self time, idle and program time excluded. */
export function topFunctions(profile: CpuProfile, count: number): FunctionTime[] {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const frame = frames.get(samples[i] as number);
    // A sample's time is the gap to the next sample.
    const ms = (deltas[i + 1] ?? 0) / 1000;
    if (!frame || frame.functionName === '(idle)' || frame.functionName === '(program)') continue;
    const file = frame.url.split('/').pop() || '(native)';
    const name = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + ms);
  }
  return [...self]
    .map(([name, selfMs]) => ({ name, selfMs }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, count);
}

/** Sampled time the thread was not idle (garbage collection and program time included). */
export function busyMs(profile: CpuProfile): number {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let us = 0;
  for (let i = 0; i < samples.length; i++) {
    if (frames.get(samples[i] as number)?.functionName !== '(idle)') us += deltas[i + 1] ?? 0;
  }
  return us / 1000;
}
