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

interface Pending {
  resolve(md5: string): void;
  reject(error: Error): void;
}

async function workerScriptUrl(options: WorkerHasherOptions): Promise<string | URL> {
  if (options.workerUrl) return options.workerUrl;
  const { default: source } = await import('./md5-worker-source.generated');
  return URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
}

export function createWorkerHasher(options: WorkerHasherOptions = {}): PartHasher {
  if (typeof Worker === 'undefined') {
    return async (blob) => (await import('./md5')).md5Base64(blob);
  }
  let workers: Promise<Worker[]> | null = null;
  const pending = new Map<number, Pending>();
  let nextId = 0;
  const start = async () => {
    const url = await workerScriptUrl(options);
    return Array.from({ length: Math.max(1, options.workers ?? 2) }, () => {
      const worker = new Worker(url);
      worker.onmessage = (event: MessageEvent<{ id: number; md5?: string; error?: string }>) => {
        const request = pending.get(event.data.id);
        pending.delete(event.data.id);
        if (event.data.md5) request?.resolve(event.data.md5);
        else request?.reject(new Error(event.data.error ?? 'hashing failed'));
      };
      return worker;
    });
  };
  return async (blob) => {
    workers ??= start();
    const pool = await workers;
    const id = nextId++;
    const worker = pool[id % pool.length] as Worker;
    return new Promise<string>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, blob });
    });
  };
}

let shared: PartHasher | null = null;

/** One page-wide hasher (and its workers) shared by every upload. */
export function sharedHasher(): PartHasher {
  shared ??= createWorkerHasher();
  return shared;
}
