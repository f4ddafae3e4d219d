// What the running browser test did and when, printed only if it fails: a wait that hangs then
// names itself. Call `trackSteps` in a beforeEach; `step` records.
import type { TestContext } from 'vitest';

let steps: string[] = [];
let started = 0;

export function step(what: string): void {
  steps.push(`${((Date.now() - started) / 1000).toFixed(1)} s  ${what}`);
}

export function trackSteps(context: TestContext): void {
  steps = [];
  started = Date.now();
  context.onTestFailed(() => console.error(`steps of "${context.task.name}":\n${steps.join('\n')}`));
}
