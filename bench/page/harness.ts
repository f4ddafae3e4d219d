// The page around one contender: picks the files from <input id="file" multiple>, times the
// upload and collects main-thread long tasks (PerformanceObserver 'longtask') that started during it.
import type { Contender, LongTasks, ManyContender, PageResult, RunInput } from './types';

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

/** Adds the file input; returns the files selected in it. */
function fileInput(): () => File[] {
  const input = document.createElement('input');
  input.type = 'file';
  input.id = 'file';
  input.multiple = true;
  document.body.append(input);
  return () => {
    const files = [...(input.files ?? [])];
    if (!files.length) throw new Error('no file selected in #file');
    return files;
  };
}

/** Installs `window.bench.run`, timing `upload` (which returns the stored keys). */
function installRunner(upload: (files: File[], input: RunInput) => Promise<string[]>): void {
  observeLongTasks();
  const selected = fileInput();
  window.bench = {
    async run(options) {
      const files = selected();
      const start = performance.now();
      try {
        const keys = await upload(files, options);
        const end = performance.now();
        // Let the observer deliver tasks that ended just before the upload settled.
        await new Promise((resolve) => setTimeout(resolve, 50));
        return { ok: true, keys, ms: end - start, longTasks: longTasksBetween(start, end) };
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

/** Installs `window.bench.run` for a contender uploading the one selected file. */
export function install(contender: Contender): void {
  installRunner(async ([file], options) => [(await contender(file as File, options)).key]);
}

/** Installs `window.bench.run` for a contender uploading every selected file. */
export function installMany(contender: ManyContender): void {
  installRunner(async (files, options) => (await contender(files, options)).keys);
}
