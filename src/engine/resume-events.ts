// "The set of resumable uploads changed" within this page: sessions and discards report here, and
// lists of resumable uploads (local and remote) refresh on it. Framework-free; other tabs' changes
// reach lists through the store's own `subscribe` (Dexie's liveQuery) instead.

export interface ResumableUploadsChange {
  /** created: a multipart upload started (a record was written); the others removed one. */
  type: 'created' | 'completed' | 'cancelled' | 'discarded';
  fingerprint?: string;
  key?: string;
  uploadId?: string;
}

type Listener = (change: ResumableUploadsChange) => void;

let listeners: Set<Listener> | null = null;

/** Calls `listener` after each change; returns an unsubscribe function. */
export function onResumableUploadsChanged(listener: Listener): () => void {
  listeners ??= new Set();
  listeners.add(listener);
  return () => listeners?.delete(listener);
}

export function notifyResumableUploadsChanged(change: ResumableUploadsChange): void {
  if (!listeners) return;
  for (const listener of [...listeners]) {
    try {
      listener(change);
    } catch {
      // a listener's failure is its own
    }
  }
}
