import { expect, it } from 'vitest';
import { sampleRecord } from '../../../test/support/resume-helpers';
import { describeStoreContract } from '../../../test/support/store-contract';
import { lazyDefaultResumeStore } from './lazy-default-store';

// Node has no IndexedDB: behind the lazy wrapper is the memory store, loaded on first use.
describeStoreContract('lazyDefaultResumeStore', () => lazyDefaultResumeStore());

it('lazyDefaultResumeStore forwards change notifications once loaded, and stops after unsubscribe', async () => {
  const store = lazyDefaultResumeStore();
  let changes = 0;
  const unsubscribe = store.subscribe?.(() => {
    changes += 1;
  });
  await store.put(sampleRecord());
  await expect.poll(() => changes).toBeGreaterThan(0);
  const seen = changes;
  unsubscribe?.();
  await store.remove(sampleRecord().id);
  expect(changes).toBe(seen);
});
