import type { Random } from './types';

export interface BackoffOptions {
  /** First retry waits up to this long (ms). */
  baseDelayMs: number;
  /** No single wait exceeds this (ms). */
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * "Full jitter" exponential backoff (AWS Architecture Blog): a uniform wait in
 * [0, min(cap, base·2^attempt)). Spreads retries of many parallel parts apart.
 * `attempt` is 0 for the first retry.
 */
export function backoffDelay(
  attempt: number,
  random: Random,
  options: BackoffOptions = DEFAULT_BACKOFF,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/**
 * Upload-wide retry budget (a token bucket like the AWS SDK's standard retry strategy):
 * retries spend tokens, successes refund some, so sporadic failures over a long upload are
 * absorbed while a persistent failure ends quickly instead of retrying forever.
 */
export class RetryBudget {
  private tokens: number;
  constructor(
    private readonly capacity = 100,
    private readonly refundPerSuccess = 1,
  ) {
    this.tokens = capacity;
  }
  /** Spends `cost` tokens; false when the budget cannot pay for another retry. */
  trySpend(cost: number): boolean {
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }
  refund(): void {
    this.tokens = Math.min(this.capacity, this.tokens + this.refundPerSuccess);
  }
  get remaining(): number {
    return this.tokens;
  }
}
