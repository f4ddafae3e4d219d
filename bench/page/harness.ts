// The page around one contender: picks the file from <input id="file">, times the upload and
// collects main-thread long tasks (PerformanceObserver 'longtask') that started during it.
import type { Contender, LongTasks, PageResult, RunInput } from './types';

declare global {
  interface Window {
    bench?: { run(input: RunInput): Promise<PageResult> };
  }
}

const longTasks: PerformanceEntry[] = [];

function observeLongTasks(): void {
  try {
    new PerformanceObserver((list) => {
      longTasks.push(...list.getEntries());
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // No long-task support: the figure stays 0 and the Node side reports it as measured by nothing.
  }
}

function longTasksBetween(start: number, end: number): LongTasks {
  const during = longTasks.filter((t) => t.startTime >= start && t.startTime < end);
  return {
    count: during.length,
    totalMs: during.reduce((sum, t) => sum + t.duration, 0),
    longestMs: during.reduce((max, t) => Math.max(max, t.duration), 0),
    tasks: during.map((t) => ({ at: Math.round(t.startTime - start), ms: Math.round(t.duration) })),
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === 'object' && error !== null) {
    try {
      return JSON.stringify(error);
    } catch {
      return String(error);
    }
  }
  return String(error);
}

/** Installs `window.bench.run` for `contender`. */
export function install(contender: Contender): void {
  observeLongTasks();
  const input = document.createElement('input');
  input.type = 'file';
  input.id = 'file';
  document.body.append(input);

  window.bench = {
    async run(options) {
      const file = input.files?.[0];
      if (!file) throw new Error('no file selected in #file');
      const start = performance.now();
      try {
        const { key } = await contender(file, options);
        const end = performance.now();
        // Let the observer deliver tasks that ended just before the upload settled.
        await new Promise((resolve) => setTimeout(resolve, 50));
        return { ok: true, key, ms: end - start, longTasks: longTasksBetween(start, end) };
      } catch (error) {
        const end = performance.now();
        return {
          ok: false,
          error: describe(error),
          ms: end - start,
          longTasks: longTasksBetween(start, end),
        };
      }
    },
  };
}
