import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { type QueueOptions, type QueueSnapshot, QueueStore } from './queue-store';
import type { FileOptions } from './types';

export interface UploadQueueResult extends QueueSnapshot {
  /** Queues files (a FileList works); returns their ids. */
  add(files: Iterable<File> | ArrayLike<File>, options?: FileOptions): string[];
  /** Cancels the file if unfinished and drops it from the list. */
  remove(id: string): void;
  pauseAll(): void;
  resumeAll(): void;
  cancelAll(): Promise<void>;
}

/**
 * Many files with per-file and overall progress. Files start as they are added (explicit
 * actions, never effects). Unmounting unsubscribes React but stops nothing: running files
 * finish and waiting ones still start; call `cancelAll` in a cleanup to stop them.
 *
 * Resumable by default in browsers with a signer URL (`options.resume`): a file added again
 * after a reload continues its earlier upload; one another tab is uploading shows
 * `lockedElsewhere` and waits to take over (without holding one of `maxConcurrentUploads`).
 */
export function useUploadQueue(options: QueueOptions): UploadQueueResult {
  const [store] = useState(() => new QueueStore(options));
  useEffect(() => {
    store.setOptions(options);
  });
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  return useMemo(
    () => ({
      ...snapshot,
      add: store.add,
      remove: store.remove,
      pauseAll: store.pauseAll,
      resumeAll: store.resumeAll,
      cancelAll: store.cancelAll,
    }),
    [store, snapshot],
  );
}
