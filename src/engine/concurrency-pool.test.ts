import { describe, expect, it } from 'vitest';
import { ConcurrencyPool, sharedPool } from './concurrency-pool';

describe('ConcurrencyPool', () => {
  it('gives each host at most perHost slots, and no total cap by default', () => {
    const pool = new ConcurrencyPool(Number.POSITIVE_INFINITY, 2);
    const noop = () => {};
    expect([1, 2, 3].map(() => pool.tryAcquire('a', noop))).toEqual([true, true, false]);
    expect([1, 2].map(() => pool.tryAcquire('b', () => {}))).toEqual([true, true]);
    expect(pool.inUse).toBe(4);
    expect(pool.inUseFor('a')).toBe(2);
  });

  it('caps the total across hosts', () => {
    const pool = new ConcurrencyPool(3, 2);
    const granted = ['a', 'a', 'b', 'b'].map((host) => pool.tryAcquire(host, () => {}));
    expect(granted).toEqual([true, true, true, false]);
  });

  it('wakes the first waiter whose host has room: a full host does not hold up another', () => {
    const pool = new ConcurrencyPool(Number.POSITIVE_INFINITY, 1);
    const woken: string[] = [];
    // A woken waiter takes its slot, as Upload's do.
    const waiter = (host: string, name: string) => {
      const wake = () => {
        if (pool.tryAcquire(host, wake)) woken.push(name);
      };
      return wake;
    };
    pool.tryAcquire('a', () => {});
    pool.tryAcquire('b', () => {});
    pool.tryAcquire('a', waiter('a', 'a1'));
    pool.tryAcquire('b', waiter('b', 'b1'));
    pool.tryAcquire('b', waiter('b', 'b2'));
    pool.release('b');
    expect(woken).toEqual(['b1']);
    pool.release('a');
    expect(woken).toEqual(['b1', 'a1']);
  });

  it('forgets a waiter that stopped waiting', () => {
    const pool = new ConcurrencyPool(1);
    const woken: string[] = [];
    const first = () => woken.push('first');
    pool.tryAcquire('a', () => {});
    pool.tryAcquire('a', first);
    pool.tryAcquire('a', () => woken.push('second'));
    pool.forget(first);
    pool.release('a');
    expect(woken).toEqual(['second']);
  });

  it('rejects limits that are not whole numbers, saying what it needs', () => {
    expect(() => new ConcurrencyPool(0)).toThrow(/pool limit must be an integer >= 1/);
    expect(() => new ConcurrencyPool(4, 2.5)).toThrow(/per-host limit must be an integer >= 1/);
  });

  it('is shared page-wide with 6 per host (the browsers’ connections per host) and no total cap', () => {
    expect(sharedPool.perHost).toBe(6);
    expect(sharedPool.capacity).toBe(Number.POSITIVE_INFINITY);
  });
});
