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

/** Each sample's frame with its time: the gap to the next sample. */
function samplesOf(profile: CpuProfile): { frame: CallFrame | undefined; ms: number }[] {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const deltas = profile.timeDeltas ?? [];
  return (profile.samples ?? []).map((id, i) => ({ frame: frames.get(id), ms: (deltas[i + 1] ?? 0) / 1000 }));
}

/** The functions with the most self time, idle and program time excluded. */
export function topFunctions(profile: CpuProfile, count: number): FunctionTime[] {
  const self = new Map<string, number>();
  for (const { frame, ms } of samplesOf(profile)) {
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
  return samplesOf(profile)
    .filter(({ frame }) => frame?.functionName !== '(idle)')
    .reduce((sum, { ms }) => sum + ms, 0);
}
