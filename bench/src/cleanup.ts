// Everything the bench starts registers how to stop it here; stopAll() runs the steps in reverse
// order, once, also on Ctrl-C / SIGTERM, so no server, browser or RGW daemon outlives the run.
import { log } from './log';

type Step = { name: string; stop: () => unknown };

export class Cleanup {
  private readonly steps: Step[] = [];
  private stopping: Promise<void> | null = null;

  /** Registers `stop`; returns a function that runs it now (and only once). */
  add(name: string, stop: () => unknown): () => Promise<void> {
    const step: Step = { name, stop };
    this.steps.push(step);
    return async () => {
      const index = this.steps.indexOf(step);
      if (index < 0) return;
      this.steps.splice(index, 1);
      await runStep(step);
    };
  }

  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      while (this.steps.length > 0) {
        const step = this.steps.pop() as Step;
        await runStep(step);
      }
    })();
    return this.stopping;
  }

  /** Stops everything on SIGINT/SIGTERM, then exits. */
  onSignals(): void {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        log(`${signal}: stopping everything the bench started…`);
        void this.stopAll().finally(() => process.exit(130));
      });
    }
  }
}

async function runStep(step: Step): Promise<void> {
  try {
    await step.stop();
  } catch (error) {
    log(`cleanup of ${step.name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
