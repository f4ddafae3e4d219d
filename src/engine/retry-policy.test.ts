import { describe, expect, it } from 'vitest';
import { AdaptiveLimit } from './retry-policy';

describe('AdaptiveLimit', () => {
  it('halves on throttling and regrows by one per run of successes, up to where it started', () => {
    const limit = new AdaptiveLimit(4);
    limit.throttled();
    expect(limit.value).toBe(2);
    const epoch = limit.epoch;
    limit.succeeded(epoch - 1); // started before the throttle: says nothing about the new limit
    limit.succeeded(epoch);
    expect(limit.value).toBe(2);
    limit.succeeded(epoch);
    expect(limit.value).toBe(3);
    for (let i = 0; i < 10; i += 1) limit.succeeded(epoch);
    expect(limit.value).toBe(4);
  });

  it('never goes below one part in flight', () => {
    const limit = new AdaptiveLimit(2);
    for (let i = 0; i < 5; i += 1) limit.throttled();
    expect(limit.value).toBe(1);
  });
});
