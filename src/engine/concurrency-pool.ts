/** Browsers open at most 6 HTTP/1.1 connections per host (S3 speaks no HTTP/2). */
export const CONNECTIONS_PER_HOST = 6;

interface Waiter {
  host: string;
  wake: () => void;
}

/**
 * Page-wide caps on parts in flight, shared by every upload: at most `limit` in total and at
 * most `perHost` to any one host of the part URLs. More parallel parts to one host would only
 * queue inside the browser, where the stall watchdog would mistake queueing for a stall; a
 * signer that spreads part URLs over several hostnames of the bucket lifts that cap.
 * Requests that find no free slot are woken in FIFO order when one frees.
 */
export class ConcurrencyPool {
  private used = 0;
  private readonly byHost = new Map<string, number>();
  private readonly waiters: Waiter[] = [];

  constructor(
    private limit: number,
    readonly perHost: number = CONNECTIONS_PER_HOST,
  ) {
    checkLimit('pool limit', limit);
    checkLimit('per-host limit', perHost);
  }

  get inUse(): number {
    return this.used;
  }

  /** The total cap (Infinity: only the per-host cap applies). */
  get capacity(): number {
    return this.limit;
  }

  setLimit(limit: number): void {
    checkLimit('pool limit', limit);
    this.limit = limit;
    this.wake();
  }

  /** Parts in flight to `host`. */
  inUseFor(host: string): number {
    return this.byHost.get(host) ?? 0;
  }

  /** Takes a slot for `host` if one is free; otherwise remembers `wake` (once) to call when one frees. */
  tryAcquire(host: string, wake: () => void): boolean {
    if (this.hasRoom(host)) {
      this.used += 1;
      this.byHost.set(host, this.inUseFor(host) + 1);
      return true;
    }
    if (!this.waiters.some((w) => w.wake === wake)) this.waiters.push({ host, wake });
    return false;
  }

  release(host: string): void {
    this.used = Math.max(0, this.used - 1);
    const left = this.inUseFor(host) - 1;
    if (left > 0) this.byHost.set(host, left);
    else this.byHost.delete(host);
    this.wake();
  }

  /** Forget a waiter (a request that was stopped). */
  forget(wake: () => void): void {
    const index = this.waiters.findIndex((w) => w.wake === wake);
    if (index >= 0) this.waiters.splice(index, 1);
  }

  private hasRoom(host: string): boolean {
    return this.used < this.limit && this.inUseFor(host) < this.perHost;
  }

  /** Wakes, in order, every waiter whose host has room (a full host does not block the others). */
  private wake(): void {
    for (let i = 0; i < this.waiters.length && this.used < this.limit; ) {
      const waiter = this.waiters[i] as Waiter;
      if (!this.hasRoom(waiter.host)) {
        i += 1;
        continue;
      }
      this.waiters.splice(i, 1);
      waiter.wake();
    }
  }
}

function checkLimit(name: string, limit: number): void {
  if (limit !== Number.POSITIVE_INFINITY && (!Number.isInteger(limit) || limit < 1))
    throw new RangeError(`${name} must be an integer >= 1 (or Infinity), got ${limit}`);
}

/**
 * The default page-wide pool: 6 parts in flight per host, no total cap (a signer that spreads
 * parts over several hostnames gets 6 per hostname).
 */
export const sharedPool = new ConcurrencyPool(Number.POSITIVE_INFINITY);
