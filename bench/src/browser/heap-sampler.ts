// Peak JS heap of the page during an upload: CDP Runtime.getHeapUsage every `intervalMs`, counting
// the V8 heap plus ArrayBuffer backing stores (where copies of file parts live).
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
  samples: number;
}

async function usage(cdp: CDPSession): Promise<number> {
  const u = (await cdp.send('Runtime.getHeapUsage')) as HeapUsage;
  return u.usedSize + (u.backingStorageSize ?? 0);
}

export async function startHeapSampler(
  cdp: CDPSession,
  intervalMs = 100,
): Promise<() => Promise<HeapFigures>> {
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.disable');
  const baselineBytes = await usage(cdp);
  let peakBytes = baselineBytes;
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        peakBytes = Math.max(peakBytes, await usage(cdp));
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
    return { baselineBytes, peakBytes, samples };
  };
}
