// Where an upload's time goes, from the NetLog requests of one run: setup before the first part,
// how long each part's slot sat idle before the part's first request (signer waits, scheduling),
// preflights, the PUTs themselves, and the tail after the last part (completion).
import type { LoggedRequest } from './netlog';

export interface Timeline {
  /** First request of the run → first part request (create, first signing, first preflight starts). */
  setupMs: number;
  parts: number;
  /** Mean per part: its slot was free but the part had not yet sent its first request. */
  meanSlotIdleMs: number;
  /** Mean CORS preflight duration (one per part URL). */
  meanPreflightMs: number;
  /** Mean part PUT duration (body + response). */
  meanPutMs: number;
  /** Part PUT time / (concurrency × upload phase): 1 means every slot always carried a body. */
  slotUse: number;
  /** Last part PUT end → last request end (completion). */
  tailMs: number;
  signerCalls: number;
  meanSignerMs: number;
}

const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);

function partNumber(url: string): string | null {
  try {
    return new URL(url).searchParams.get('partNumber');
  } catch {
    return null;
  }
}

/** `wholeObjects`: a many-files run, where every PUT (one whole small file) counts as a part. */
export function timeline(
  s3: LoggedRequest[],
  signer: LoggedRequest[],
  concurrency: number,
  wholeObjects = false,
): Timeline | null {
  const puts = s3.filter((r) => r.method === 'PUT' && (wholeObjects || partNumber(r.url) !== null));
  if (puts.length === 0) return null;
  const preflightsByUrl = new Map(s3.filter((r) => r.method === 'OPTIONS').map((r) => [r.url, r]));
  const parts = puts
    .map((put) => {
      const preflight = preflightsByUrl.get(put.url);
      return { first: preflight?.start ?? put.start, preflight, put };
    })
    .sort((a, b) => a.first - b.first);

  const all = [...s3, ...signer];
  const runStart = Math.min(...all.map((r) => r.start));
  const runEnd = Math.max(...all.map((r) => r.end));
  const phaseStart = parts[0]?.first ?? runStart;
  const phaseEnd = Math.max(...puts.map((p) => p.end));

  // Slots as a pool: each part takes the slot that freed first and idles it until its first request.
  const freeAt = Array.from({ length: concurrency }, () => phaseStart);
  const idle: number[] = [];
  for (const part of parts) {
    freeAt.sort((a, b) => a - b);
    idle.push(Math.max(0, part.first - (freeAt[0] as number)));
    freeAt[0] = part.put.end;
  }
  const putTime = puts.reduce((sum, p) => sum + (p.end - p.start), 0);
  return {
    setupMs: phaseStart - runStart,
    parts: puts.length,
    meanSlotIdleMs: mean(idle),
    meanPreflightMs: mean(parts.flatMap((p) => (p.preflight ? [p.preflight.end - p.preflight.start] : []))),
    meanPutMs: mean(puts.map((p) => p.end - p.start)),
    slotUse: putTime / (concurrency * Math.max(1, phaseEnd - phaseStart)),
    tailMs: runEnd - phaseEnd,
    signerCalls: signer.filter((r) => r.method !== 'OPTIONS').length,
    meanSignerMs: mean(signer.filter((r) => r.method !== 'OPTIONS').map((r) => r.end - r.start)),
  };
}
