// Peak JS heap during an upload: CDP Runtime.getHeapUsage every `intervalMs`, counting the V8 heap
// plus ArrayBuffer backing stores (where copies of file parts live), for the page and, apart, for
// its dedicated workers (where hashers read parts). Workers are reached through the page's own
// CDP session (auto-attach without flattening: Playwright's CDPSession cannot address child
// sessions, but Target.sendMessageToTarget can).
import type { CDPSession } from 'playwright-core';

interface HeapUsage {
  usedSize: number;
  totalSize: number;
  backingStorageSize?: number;
}

export interface HeapFigures {
  /** Before the upload, after a forced GC. */
  baselineBytes: number;
  peakBytes: number;
  /** The largest sum over the page's workers at one sample; 0 when no worker ran. */
  workersPeakBytes: number;
  /** Workers seen during the upload. */
  workers: number;
  samples: number;
}

const bytesOf = (u: HeapUsage) => u.usedSize + (u.backingStorageSize ?? 0);

async function usage(cdp: CDPSession): Promise<number> {
  return bytesOf((await cdp.send('Runtime.getHeapUsage')) as HeapUsage);
}

/** The page's workers, each asked for its heap through the page session. */
async function attachWorkers(cdp: CDPSession) {
  const sessions = new Set<string>();
  let seen = 0;
  let nextId = 1;
  const answers = new Map<number, (message: { result?: HeapUsage }) => void>();
  cdp.on('Target.attachedToTarget', (event) => {
    if (event.targetInfo.type !== 'worker') return;
    sessions.add(event.sessionId);
    seen += 1;
  });
  cdp.on('Target.detachedFromTarget', (event) => {
    if (event.sessionId) sessions.delete(event.sessionId);
  });
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    const message = JSON.parse(event.message) as { id?: number; result?: HeapUsage };
    const answer = message.id === undefined ? undefined : answers.get(message.id);
    if (!answer || message.id === undefined) return;
    answers.delete(message.id);
    answer(message);
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  const heapOf = (sessionId: string) =>
    new Promise<number>((resolve) => {
      const id = nextId++;
      // A worker that ends meanwhile never answers: count it as 0 after a second.
      const timer = setTimeout(() => {
        answers.delete(id);
        resolve(0);
      }, 1000);
      answers.set(id, (message) => {
        clearTimeout(timer);
        resolve(message.result ? bytesOf(message.result) : 0);
      });
      const message = JSON.stringify({ id, method: 'Runtime.getHeapUsage' });
      cdp.send('Target.sendMessageToTarget', { sessionId, message }).catch(() => {
        clearTimeout(timer);
        answers.delete(id);
        resolve(0);
      });
    });
  return {
    total: async () => (await Promise.all([...sessions].map(heapOf))).reduce((a, b) => a + b, 0),
    seen: () => seen,
  };
}

export async function startHeapSampler(
  cdp: CDPSession,
  intervalMs = 100,
): Promise<() => Promise<HeapFigures>> {
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.disable');
  const workers = await attachWorkers(cdp);
  const baselineBytes = await usage(cdp);
  let peakBytes = baselineBytes;
  let workersPeakBytes = 0;
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const [page, inWorkers] = await Promise.all([usage(cdp), workers.total()]);
        peakBytes = Math.max(peakBytes, page);
        workersPeakBytes = Math.max(workersPeakBytes, inWorkers);
        samples += 1;
      } catch {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return { baselineBytes, peakBytes, workersPeakBytes, workers: workers.seen(), samples };
  };
}
