import { describe, expect, it } from 'vitest';
import { AdaptiveConcurrency, DEFAULT_PROBE } from './adaptive-concurrency';

const TICK = 100;

/**
 * Drives a controller for `ms` with a link whose throughput (bytes per ms) depends on the parts
 * in flight, every slot kept busy. Returns the levels seen, one per tick.
 */
function drive(
  control: AdaptiveConcurrency,
  link: (inFlight: number) => number,
  ms: number,
  state = { now: 0, bytes: 0 },
): number[] {
  const levels: number[] = [];
  for (let end = state.now + ms; state.now < end; state.now += TICK) {
    state.bytes += link(control.value) * TICK;
    control.observe(state.now, state.bytes, control.value);
    levels.push(control.value);
  }
  return levels;
}

const perConnection = (inFlight: number) => 2 * inFlight;
const sharedLink = () => 8;

describe('AdaptiveConcurrency', () => {
  it('climbs to the ceiling while each extra part in flight adds throughput', () => {
    const control = new AdaptiveConcurrency(4, () => 6, true);
    const levels = drive(control, perConnection, 20_000);
    expect(levels[0]).toBe(4);
    expect(levels).toContain(5);
    expect(control.value).toBe(6);
    // No level above the ceiling, ever.
    expect(Math.max(...levels)).toBe(6);
  });

  it('steps back when one more part in flight does not pay, and waits longer before each retry', () => {
    const control = new AdaptiveConcurrency(4, () => 6, true);
    const levels = drive(control, sharedLink, 80_000);
    // [time, level] at every change.
    const changes = levels.flatMap((level, i) =>
      level !== (levels[i - 1] ?? 4) ? [{ t: i * TICK, level }] : [],
    );
    expect(changes.map((c) => c.level)).toEqual([5, 4, 5, 4, 5, 4]);
    const [rejected1, probe2, rejected2, probe3] = changes.slice(1, 5).map((c) => c.t) as number[];
    expect((probe2 as number) - (rejected1 as number)).toBeGreaterThanOrEqual(DEFAULT_PROBE.holdMs);
    expect((probe3 as number) - (rejected2 as number)).toBeGreaterThanOrEqual(2 * DEFAULT_PROBE.holdMs);
  });

  it('never probes while the slots are not all busy', () => {
    const control = new AdaptiveConcurrency(4, () => 6, true);
    let bytes = 0;
    for (let now = 0; now < 30_000; now += TICK) {
      bytes += 6 * TICK;
      control.observe(now, bytes, 3);
    }
    expect(control.value).toBe(4);
  });

  it('a fixed level never probes', () => {
    const control = new AdaptiveConcurrency(4, () => 6, false);
    expect(drive(control, perConnection, 30_000).every((level) => level === 4)).toBe(true);
  });

  it('halves on throttling and regrows by one per run of successes, up to the level it had', () => {
    const control = new AdaptiveConcurrency(4, () => 6, false);
    control.throttled(0);
    expect(control.value).toBe(2);
    const epoch = control.epoch;
    control.succeeded(epoch - 1); // started before the throttle: says nothing
    control.succeeded(epoch);
    expect(control.value).toBe(2);
    control.succeeded(epoch);
    expect(control.value).toBe(3);
    for (let i = 0; i < 10; i += 1) control.succeeded(epoch);
    expect(control.value).toBe(4);
  });

  it('a probe that meets throttling falls back below the last good level and climbs back to it first', () => {
    const control = new AdaptiveConcurrency(4, () => 6, true);
    const state = { now: 0, bytes: 0 };
    const levels = drive(control, perConnection, 4_000, state);
    expect(levels.at(-1)).toBe(5);
    control.throttled(state.now);
    expect(control.value).toBe(2);
    for (let i = 0; i < 20; i += 1) control.succeeded(control.epoch);
    expect(control.value).toBe(4);
    // No probe within the hold that followed the throttle, then it climbs again.
    expect(drive(control, perConnection, DEFAULT_PROBE.holdMs - 100, state).every((l) => l === 4)).toBe(true);
    drive(control, perConnection, 15_000, state);
    expect(control.value).toBe(6);
  });
});
