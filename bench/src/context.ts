// What every scenario run shares.
import type { Budget } from './budget';
import type { ContenderBundle } from './bundles';
import type { Cleanup } from './cleanup';
import type { BenchConfig } from './config';
import type { ContenderId } from './contenders';

export interface ScenarioContext {
  pageOrigin: string;
  /** Where each scenario's browser writes its NetLog. */
  workDir: string;
  /** By page name (`pageName`): a contender's one-file and many-files pages differ. */
  bundles: ReadonlyMap<string, ContenderBundle>;
  versions: ReadonlyMap<ContenderId, Record<string, string>>;
  config: BenchConfig;
  cleanup: Cleanup;
  budget: Budget;
}
