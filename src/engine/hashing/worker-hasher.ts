import type { PartHasher } from './types';

// The browser edge of hashing: MD5 runs in Web Workers so that hashing never blocks the page.
// The worker's code ships inside the library as a string (md5-worker-source.generated.ts, made by
// scripts/build-md5-worker.ts) and is loaded lazily, so apps that turn integrity off never
// download it. Pages whose CSP forbids blob: workers can serve the worker file themselves and
// pass its URL. Runtimes without Worker (Node, SSR) hash in-process, chunk by chunk.

export interface WorkerHasherOptions {
  /** Workers to run (default 2: hashing stays ahead of 4–6 parallel uploads). */
  workers?: number;
  /** URL of a served copy of the worker script instead of the built-in blob: URL. */
  workerUrl?: string | URL;
}

interface Job {
  blob: Blob;
  resolve(md5: string): void;
  reject(error: Error): void;
}

async function workerScriptUrl(options: WorkerHasherOptions): Promise<string | URL> {
  if (options.workerUrl) return options.workerUrl;
  const { default: source } = await import('./md5-worker-source.generated');
  return URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
}

/**
 * One job per worker at a time, taken from a first-in-first-out queue by whichever worker is
 * free: parts finish hashing in the order they were asked for (the order they are sent in).
 * Handing a busy worker a second blob would interleave the two reads and delay both.
 */
export function createWorkerHasher(options: WorkerHasherOptions = {}): PartHasher {
  if (typeof Worker === 'undefined') {
    return async (blob) => (await import('./md5')).md5Base64(blob);
  }
  const queue: Job[] = [];
  const idle: Worker[] = [];
  const running = new Map<Worker, Job>();
  let started: Promise<void> | null = null;

  const dispatch = () => {
    for (;;) {
      const worker = idle.shift();
      if (!worker) return;
      const job = queue.shift();
      if (!job) {
        idle.unshift(worker);
        return;
      }
      running.set(worker, job);
      worker.postMessage({ blob: job.blob });
    }
  };
  const start = async () => {
    const url = await workerScriptUrl(options);
    for (let i = 0; i < Math.max(1, options.workers ?? 2); i += 1) {
      const worker = new Worker(url);
      worker.onmessage = (event: MessageEvent<{ md5?: string; error?: string }>) => {
        const job = running.get(worker);
        running.delete(worker);
        idle.push(worker);
        if (event.data.md5) job?.resolve(event.data.md5);
        else job?.reject(new Error(event.data.error ?? 'hashing failed'));
        dispatch();
      };
      idle.push(worker);
    }
  };
  return (blob) =>
    new Promise<string>((resolve, reject) => {
      queue.push({ blob, resolve, reject });
      started ??= start();
      started.then(dispatch, (error: unknown) => {
        // The worker could not start (e.g. a CSP without blob:): fail every waiting job.
        for (const job of queue.splice(0))
          job.reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
}

let shared: PartHasher | null = null;

/** One page-wide hasher (and its workers) shared by every upload. */
export function sharedHasher(): PartHasher {
  shared ??= createWorkerHasher();
  return shared;
}

/**
 * Starts the page's MD5 workers ahead of the first part: an empty job per worker makes each one
 * load and compile its WebAssembly while the caller still has other work to do (fingerprinting,
 * reconciling with S3), instead of in front of the first PUT.
 */
export function warmSharedHasher(workers = 2): void {
  const hash = sharedHasher();
  for (let i = 0; i < workers; i += 1) hash(new Blob([])).catch(() => {});
}
