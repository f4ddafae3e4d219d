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
