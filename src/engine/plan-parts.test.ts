import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GiB, MiB, maxObjectSize, S3_LIMITS } from './limits';
import { partRange, planParts } from './plan-parts';

function checkCoverage(size: number, preferred: number, limits = S3_LIMITS) {
  const plan = planParts(size, preferred, limits);
  expect(plan.partCount).toBeLessThanOrEqual(limits.maxParts);
  expect(plan.partSize).toBeLessThanOrEqual(limits.maxPartSize);
  expect(plan.partSize).toBeGreaterThanOrEqual(limits.minPartSize);
  // Every byte exactly once: parts are contiguous, non-empty, start at 0 and end at size.
  // Checking the first two and last two parts and the count is enough for equal-size ranges.
  let expectedStart = 0;
  const numbers =
    plan.partCount <= 4
      ? [...Array(plan.partCount).keys()].map((i) => i + 1)
      : [1, 2, plan.partCount - 1, plan.partCount];
  for (const n of numbers) {
    const r = partRange(plan, n);
    if (n <= 2) expect(r.start).toBe(expectedStart);
    expect(r.end).toBeGreaterThan(r.start);
    expect(r.end - r.start).toBeLessThanOrEqual(limits.maxPartSize);
    if (n < plan.partCount) expect(r.end - r.start).toBeGreaterThanOrEqual(limits.minPartSize);
    expectedStart = r.end;
  }
  if (plan.partCount > 0) expect(partRange(plan, plan.partCount).end).toBe(size);
  if (plan.partCount > 0) expect(partRange(plan, plan.partCount - 1 || 1).end).toBeLessThanOrEqual(size);
  // A part beyond the last would be empty: the count is exactly what is needed.
  if (plan.partCount > 0) expect(partRange(plan, plan.partCount + 1).start).toBeGreaterThanOrEqual(size);
  return plan;
}

describe('planParts', () => {
  it('covers any legal S3 size with legal parts (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: 100 * GiB }),
          fc.integer({ min: 0, max: maxObjectSize(S3_LIMITS) }),
        ),
        fc.integer({ min: 5, max: 5 * 1024 }).map((m) => m * MiB),
        (size, preferred) => {
          checkCoverage(size, preferred);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('covers every byte exactly once with small custom limits (exhaustive per part)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 30 }),
        fc.nat(2000),
        (min, extra, maxParts, sizeSeed) => {
          const limits = { minPartSize: min, maxPartSize: min + extra, maxParts };
          const size = sizeSeed % (maxObjectSize(limits) + 1);
          const plan = planParts(size, min, limits);
          const seen = new Uint8Array(size);
          for (let n = 1; n <= plan.partCount; n += 1) {
            const r = partRange(plan, n);
            for (let i = r.start; i < r.end; i += 1) seen[i] = (seen[i] ?? 0) + 1;
            if (n < plan.partCount) expect(r.end - r.start).toBeGreaterThanOrEqual(min);
            expect(r.end - r.start).toBeLessThanOrEqual(limits.maxPartSize);
          }
          expect(seen.every((c) => c === 1)).toBe(true);
          expect(plan.partCount).toBeLessThanOrEqual(maxParts);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('keeps the preferred size when the file fits and grows it for huge files', () => {
    expect(planParts(100 * MiB, 8 * MiB)).toEqual({ size: 100 * MiB, partSize: 8 * MiB, partCount: 13 });
    const huge = planParts(1024 * GiB, 8 * MiB); // 1 TiB needs > 8 MiB parts to stay within 10,000
    expect(huge.partSize).toBe(105 * MiB);
    expect(huge.partCount).toBeLessThanOrEqual(10_000);
    const largest = planParts(maxObjectSize(S3_LIMITS), 8 * MiB);
    expect(largest).toEqual({ size: maxObjectSize(S3_LIMITS), partSize: 5 * GiB, partCount: 10_000 });
  });

  it('plans a 0-byte file as zero parts', () => {
    expect(planParts(0).partCount).toBe(0);
  });

  it('rejects a file larger than the store allows with an actionable message', () => {
    expect(() => planParts(maxObjectSize(S3_LIMITS) + 1)).toThrowError(/at most 53687091200000 bytes/);
    try {
      planParts(maxObjectSize(S3_LIMITS) + 1);
    } catch (error) {
      expect((error as { code: string }).code).toBe('FILE_TOO_LARGE');
    }
  });

  it('rejects part sizes outside the limits and bad sizes', () => {
    expect(() => planParts(100, 1 * MiB)).toThrowError(/outside the store's limits/);
    expect(() => planParts(100, 6 * GiB)).toThrowError(/outside the store's limits/);
    expect(() => planParts(-1)).toThrowError(/non-negative integer/);
    expect(() => planParts(1.5)).toThrowError(/non-negative integer/);
  });
});
