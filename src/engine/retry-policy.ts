import type { RetryCause } from './classify';

/** Budget tokens a retry costs, by cause. Re-signing is cheap; timeouts are expensive. */
export const RETRY_COST: Record<RetryCause, number> = {
  expired: 1,
  skewed: 1,
  network: 5,
  server: 5,
  throttled: 5,
  corrupted: 5,
  timeout: 10,
};

/** Causes that are fixed by signing again at once, without waiting. */
export function retriesImmediately(cause: RetryCause): boolean {
  return cause === 'expired' || cause === 'skewed';
}

/**
 * Additive-increase / multiplicative-decrease of the per-upload concurrency: halve on
 * throttling (429 / 503 SlowDown), grow back by one after a run of successes.
 */
export class AdaptiveLimit {
  private current: number;
  private successes = 0;
  /** Bumped on every throttle; requests started before it say nothing about the new limit. */
  private epochValue = 0;

  constructor(private max: number) {
    this.current = max;
  }

  /** Moves the ceiling (more hosts to send to); a limit at the old ceiling moves with it. */
  setMax(max: number): void {
    if (this.current >= this.max || this.current > max) this.current = max;
    this.max = max;
  }

  get value(): number {
    return this.current;
  }

  get epoch(): number {
    return this.epochValue;
  }

  throttled(): void {
    this.current = Math.max(1, Math.floor(this.current / 2));
    this.successes = 0;
    this.epochValue += 1;
  }

  /** A request started at `startedEpoch` succeeded. */
  succeeded(startedEpoch: number): void {
    if (this.current >= this.max || startedEpoch !== this.epochValue) return;
    this.successes += 1;
    if (this.successes >= this.current) {
      this.current += 1;
      this.successes = 0;
    }
  }
}
