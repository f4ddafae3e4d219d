import type { RecordTouch, ResumeStore, StoredPart, UploadRecord } from './types';

/**
 * The default resume store, loaded on first use: Dexie (~32 KiB gzip) and the IndexedDB store
 * are fetched with the first read or write instead of weighing on every page that imports the
 * hooks. Each call waits for the load, then goes to the real store.
 */
export function lazyDefaultResumeStore(): ResumeStore {
  let loaded: Promise<ResumeStore> | null = null;
  const store = () => {
    loaded ??= import('./index').then((m) => m.createDefaultResumeStore());
    return loaded;
  };
  return {
    get: async (id: string) => (await store()).get(id),
    put: async (record: UploadRecord) => (await store()).put(record),
    addParts: async (id: string, parts: readonly StoredPart[], touch: RecordTouch) =>
      (await store()).addParts(id, parts, touch),
    remove: async (id: string) => (await store()).remove(id),
    list: async () => (await store()).list(),
    removeExpired: async (now: number) => (await store()).removeExpired(now),
    subscribe(listener: () => void) {
      let unsubscribe: (() => void) | undefined;
      let active = true;
      void store().then((real) => {
        if (active) unsubscribe = real.subscribe?.(listener);
      });
      return () => {
        active = false;
        unsubscribe?.();
      };
    },
  };
}
