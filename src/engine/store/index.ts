// s3-multipart-uploader resume stores: IndexedDB (Dexie) and memory. A separate entry so the
// engine's main entry stays free of dexie. The Node JSON-file store is `./file-store` (node:fs).

export {
  DEFAULT_DATABASE_NAME,
  DexieResumeStore,
  type DexieResumeStoreOptions,
} from './dexie-store';
export { MemoryResumeStore } from './memory-store';
export {
  isUploadRecord,
  mergeParts,
  RECORD_VERSION,
  type RecordTouch,
  type ResumeStore,
  type StoredPart,
  type UploadRecord,
} from './types';

import { DexieResumeStore, type DexieResumeStoreOptions } from './dexie-store';
import { MemoryResumeStore } from './memory-store';
import type { ResumeStore } from './types';

/** IndexedDB when the environment has it (browsers), memory otherwise (SSR, old runtimes). */
export function createDefaultResumeStore(options: DexieResumeStoreOptions = {}): ResumeStore {
  const hasIndexedDB = options.indexedDB !== undefined || typeof globalThis.indexedDB !== 'undefined';
  return hasIndexedDB ? new DexieResumeStore(options) : new MemoryResumeStore();
}
