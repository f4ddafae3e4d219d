/**
 * A page-wide cap on parts in flight, shared by every upload. Browsers open at most ~6
 * connections per host over HTTP/1.1, so more parallel parts only queue inside the browser
 * (where the stall watchdog would mistake queueing for a stall).
 * Uploads that find no free slot are queued and woken in FIFO order when one frees.
 */
export class ConcurrencyPool {
  private used = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(private limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`pool limit must be an integer >= 1, got ${limit}`);
  }

  get inUse(): number {
    return this.used;
  }

  get capacity(): number {
    return this.limit;
  }

  setLimit(limit: number): void {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`pool limit must be an integer >= 1, got ${limit}`);
    this.limit = limit;
    this.wake();
  }

  /** Takes a slot if one is free; otherwise remembers `wake` (once) to call when one frees. */
  tryAcquire(wake: () => void): boolean {
    if (this.used < this.limit) {
      this.used += 1;
      return true;
    }
    if (!this.waiters.includes(wake)) this.waiters.push(wake);
    return false;
  }

  release(): void {
    this.used = Math.max(0, this.used - 1);
    this.wake();
  }

  /** Forget a waiter (an upload that paused or ended). */
  forget(wake: () => void): void {
    const index = this.waiters.indexOf(wake);
    if (index >= 0) this.waiters.splice(index, 1);
  }

  private wake(): void {
    while (this.used < this.limit && this.waiters.length > 0) {
      const next = this.waiters.shift();
      next?.();
    }
  }
}

/** The default page-wide pool: 6 parts in flight across all uploads. */
export const sharedPool = new ConcurrencyPool(6);
