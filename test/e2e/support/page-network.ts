// What browser tests do to and see of a page's network: upload throttling through CDP, and the
// part PUTs it sends (all of them, or by phase around a reload).
import type { CDPSession, Page, Request } from 'playwright-core';

/** Limits the page's upload rate (bytes/s; -1 lifts the limit). Keep the session to change it. */
export async function throttleUploads(page: Page, bytesPerSecond: number): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await setUploadThroughput(cdp, bytesPerSecond);
  return cdp;
}

export async function setUploadThroughput(cdp: CDPSession, bytesPerSecond: number): Promise<void> {
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: bytesPerSecond > 0 ? 5 : 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond,
  });
}

/** The part number of a multipart part PUT, or null for any other request. */
export function partNumberOf(method: string, url: string): number | null {
  const match = /[?&]partNumber=(\d+)/.exec(url);
  return method === 'PUT' && match ? Number(match[1]) : null;
}

/** Part PUTs the page sends (every attempt, in order), by part number. */
export function recordPartPuts(page: Page): number[] {
  const parts: number[] = [];
  page.on('request', (request) => {
    const part = partNumberOf(request.method(), request.url());
    if (part !== null) parts.push(part);
  });
  return parts;
}

/** The part PUTs of one phase of a page's life (e.g. before and after a reload). */
export interface PartPhase {
  /** Part numbers sent at least once. */
  sent: Set<number>;
  /** Part numbers S3 answered 2xx (stored). */
  stored: Set<number>;
  /** Every PUT attempt. */
  puts: number;
}

/**
 * Part PUTs of a page by phase: `next()` ends the current phase and starts another one. An answer
 * counts in the phase its request was sent in, even when it arrives later.
 */
export class PartPhases {
  private phase: PartPhase = newPhase();
  private readonly sentIn = new WeakMap<Request, PartPhase>();

  constructor(page: Page) {
    page.on('request', (request) => {
      const part = partNumberOf(request.method(), request.url());
      if (part === null) return;
      this.sentIn.set(request, this.phase);
      this.phase.sent.add(part);
      this.phase.puts += 1;
    });
    page.on('response', (response) => {
      const part = partNumberOf(response.request().method(), response.url());
      if (part !== null && response.ok()) this.sentIn.get(response.request())?.stored.add(part);
    });
  }

  get current(): PartPhase {
    return this.phase;
  }

  /** Ends the current phase (returned) and starts a new one. */
  next(): PartPhase {
    const ended = this.phase;
    this.phase = newPhase();
    return ended;
  }
}

function newPhase(): PartPhase {
  return { sent: new Set(), stored: new Set(), puts: 0 };
}

/**
 * What a resumed upload sent again, against what it had sent before the interruption:
 * `inFlight` (sent, not yet stored when it was cut), `resent` (sent in both phases), and
 * `resentThoughOnS3` (sent again although S3 listed it before resuming). Sorted part numbers.
 */
export function resentParts(before: PartPhase, after: PartPhase, onS3: ReadonlySet<number>) {
  const sorted = (parts: Iterable<number>) => [...parts].sort((a, b) => a - b);
  return {
    inFlight: sorted([...before.sent].filter((n) => !before.stored.has(n))),
    resent: sorted([...after.sent].filter((n) => before.sent.has(n))),
    resentThoughOnS3: sorted([...after.sent].filter((n) => onS3.has(n))),
  };
}
