import { type PartPlan, partRange } from './plan-parts';
import type { UploadedPart } from './types';

export type PartStatus = 'pending' | 'active' | 'done';

export interface PartEntry {
  readonly partNumber: number;
  readonly start: number;
  readonly end: number;
  status: PartStatus;
  etag: string | undefined;
  /** Attempts started so far. */
  attempts: number;
  /** Bytes of the current attempt sent so far. */
  sent: number;
  /** Most bytes any attempt reached: what progress shows, so it never goes backwards on a retry. */
  highWater: number;
  /** A retried part waits until this time (clock ms). */
  notBefore: number;
}

/**
 * Pure bookkeeping of which parts are waiting, in flight and done, and of the byte counts
 * derived from them. Fresh parts are handed out in order through a cursor; retried parts go
 * to a small side queue, so picking the next part stays O(retries) even with 10,000 parts.
 */
export class PartTracker {
  private readonly parts: PartEntry[];
  private cursor = 0;
  private readonly retries: PartEntry[] = [];
  private readonly active = new Set<PartEntry>();
  private doneBytes = 0;
  private doneCount = 0;
  /** Every byte handed to the network, retransmissions included (feeds the speed meter). */
  bytesSent = 0;

  constructor(
    readonly plan: PartPlan,
    completed: readonly UploadedPart[] = [],
  ) {
    this.parts = [];
    for (let n = 1; n <= plan.partCount; n += 1) {
      const { start, end } = partRange(plan, n);
      this.parts.push({
        partNumber: n,
        start,
        end,
        status: 'pending',
        etag: undefined,
        attempts: 0,
        sent: 0,
        highWater: 0,
        notBefore: 0,
      });
    }
    for (const part of completed) {
      const entry = this.parts[part.partNumber - 1];
      if (entry && entry.status !== 'done') this.finish(entry, part.etag);
    }
  }

  get partCount(): number {
    return this.parts.length;
  }

  get completedCount(): number {
    return this.doneCount;
  }

  get allDone(): boolean {
    return this.doneCount === this.parts.length;
  }

  /** Bytes shown as uploaded: finished parts plus the high-water mark of the others. */
  get bytesUploaded(): number {
    let inFlight = 0;
    for (const part of this.retries) inFlight += part.highWater;
    for (const part of this.active) inFlight += part.highWater;
    return this.doneBytes + inFlight;
  }

  /** The next part to send at `now`: a due retry first, then the next fresh part. */
  nextPart(now: number): PartEntry | undefined {
    const due = this.retries.findIndex((p) => p.notBefore <= now);
    if (due >= 0) return this.retries.splice(due, 1)[0];
    while (this.cursor < this.parts.length) {
      const part = this.parts[this.cursor];
      this.cursor += 1;
      if (part && part.status === 'pending') return part;
    }
    return undefined;
  }

  /** Parts that will be sent next (due or not), in order, for signing ahead. */
  upcoming(count: number): PartEntry[] {
    const result: PartEntry[] = [...this.retries].sort((a, b) => a.notBefore - b.notBefore).slice(0, count);
    for (let i = this.cursor; i < this.parts.length && result.length < count; i += 1) {
      const part = this.parts[i];
      if (part && part.status === 'pending') result.push(part);
    }
    return result;
  }

  /** When the earliest waiting retry becomes due (undefined when none waits). */
  nextRetryAt(): number | undefined {
    let earliest: number | undefined;
    for (const part of this.retries)
      if (earliest === undefined || part.notBefore < earliest) earliest = part.notBefore;
    return earliest;
  }

  get hasWaitingParts(): boolean {
    return this.retries.length > 0 || this.cursor < this.parts.length;
  }

  begin(part: PartEntry): void {
    part.status = 'active';
    this.active.add(part);
    part.attempts += 1;
    part.sent = 0;
  }

  progress(part: PartEntry, sent: number): void {
    if (part.status !== 'active' || sent <= part.sent) return;
    this.bytesSent += sent - part.sent;
    part.sent = sent;
    if (sent > part.highWater) part.highWater = Math.min(sent, part.end - part.start);
  }

  complete(part: PartEntry, etag: string): void {
    if (part.status === 'done') return;
    this.progress(part, part.end - part.start);
    this.finish(part, etag);
  }

  /** Puts an interrupted part back in line; `notBefore` delays it (backoff). */
  requeue(part: PartEntry, notBefore = 0): void {
    if (part.status === 'done') return;
    part.status = 'pending';
    this.active.delete(part);
    part.sent = 0;
    part.notBefore = notBefore;
    if (!this.retries.includes(part)) this.retries.push(part);
  }

  /** Every part, in order. */
  allParts(): readonly PartEntry[] {
    return this.parts;
  }

  completedParts(): UploadedPart[] {
    return this.parts
      .filter((p) => p.status === 'done')
      .map((p) => ({ partNumber: p.partNumber, etag: p.etag as string, size: p.end - p.start }));
  }

  private finish(part: PartEntry, etag: string): void {
    part.status = 'done';
    this.active.delete(part);
    part.etag = etag;
    part.highWater = part.end - part.start;
    this.doneBytes += part.end - part.start;
    this.doneCount += 1;
    const waiting = this.retries.indexOf(part);
    if (waiting >= 0) this.retries.splice(waiting, 1);
  }
}
