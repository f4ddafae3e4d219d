import { afterEach, describe, expect, it, vi } from 'vitest';
import { StepTimeout, within } from './deadline';

describe('within', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives the work its result when it settles in time', async () => {
    await expect(within(1_000, 'a step', Promise.resolve(42))).resolves.toBe(42);
  });

  it("passes the work's own failure through", async () => {
    await expect(within(1_000, 'a step', Promise.reject(new Error('refused')))).rejects.toThrow('refused');
  });

  it('fails with a StepTimeout naming the step when the work never settles', async () => {
    vi.useFakeTimers();
    const outcome = within(60_000, 'opening the contender page', new Promise<never>(() => {})).catch(
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(59_999);
    let settled = false;
    void outcome.then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(StepTimeout);
    expect((error as StepTimeout).step).toBe('opening the contender page');
    expect((error as Error).message).toBe('opening the contender page did not finish within 60 s');
  });
});
