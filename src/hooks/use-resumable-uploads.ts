import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import {
  discardUpload,
  type HttpSignerOptions,
  type ResumableUploadsSnapshot,
  ResumableUploadsWatcher,
  type ResumeStore,
  type Signer,
  UploadError,
  type UploadLocks,
} from '../engine/index';
import { toSigner } from './engine-options';
import { defaultResumeStore } from './resume-options';

export interface ResumableUploadsOptions {
  /** The store the uploaders use (default: the hooks' default store, IndexedDB in browsers). */
  store?: ResumeStore;
  /** Only this signer's uploads (default: `signer` when it is a URL, else every signer's). */
  signerId?: string;
  /** The signer `discard` aborts uploads through: a URL (with `token`) or a Signer. */
  signer?: string | Signer;
  token?: HttpSignerOptions['token'];
  /** Lock provider telling which uploads run in another tab (default: the browser's). */
  locks?: UploadLocks | false;
  /** Polling interval where the store cannot notify changes (default 2 s). */
  pollMs?: number;
  /** false: lists nothing (default true). */
  enabled?: boolean;
}

export interface ResumableUploadsResult extends ResumableUploadsSnapshot {
  /** Lists again now. */
  refresh(): Promise<void>;
  /**
   * Aborts the upload on S3 and deletes its record. Rejects with UPLOAD_IN_USE while another tab
   * uploads it; resolves false when it was already gone.
   */
  discard(id: string): Promise<boolean>;
}

const EMPTY: ResumableUploadsSnapshot = { uploads: [], loading: true, error: null };
const DISABLED: ResumableUploadsSnapshot = { uploads: [], loading: false, error: null };
const noSubscribe = () => () => {};

/**
 * The uploads of this browser that can be resumed (local records: IndexedDB through Dexie by
 * default, or any ResumeStore), most recently active first, kept up to date: the store's change
 * notifications (Dexie's liveQuery also sees other tabs), this page's uploads, and polling where
 * needed. For a "you have unfinished uploads" view; needs no QueryClientProvider. The owner's
 * uploads on the server (other devices) are `useRemoteResumableUploads` in
 * `s3-multipart-uploader/query`.
 */
export function useResumableUploads(options: ResumableUploadsOptions = {}): ResumableUploadsResult {
  const { store, enabled = true, pollMs } = options;
  const signerId = options.signerId ?? (typeof options.signer === 'string' ? options.signer : undefined);
  const latest = useRef(options);
  useEffect(() => {
    latest.current = options;
  });
  const [watcher, setWatcher] = useState<ResumableUploadsWatcher | null>(null);
  // Created in an effect: the default store (IndexedDB) is never touched on the server.
  useEffect(() => {
    if (!enabled) {
      setWatcher(null);
      return;
    }
    const watcherOptions: ConstructorParameters<typeof ResumableUploadsWatcher>[1] = {};
    if (signerId !== undefined) watcherOptions.signerId = signerId;
    if (pollMs !== undefined) watcherOptions.pollMs = pollMs;
    const locks = latest.current.locks;
    if (locks !== undefined) watcherOptions.locks = locks;
    setWatcher(new ResumableUploadsWatcher(store ?? defaultResumeStore(), watcherOptions));
  }, [store, signerId, enabled, pollMs]);

  const snapshot = useSyncExternalStore(
    watcher?.subscribe ?? noSubscribe,
    watcher?.getSnapshot ?? (() => (enabled ? EMPTY : DISABLED)),
    () => EMPTY,
  );

  const refresh = useCallback(() => watcher?.refresh() ?? Promise.resolve(), [watcher]);
  const discard = useCallback(
    async (id: string) => {
      const { signer, token, locks } = latest.current;
      if (!signer) {
        throw new UploadError(
          'INVALID_OPTIONS',
          'useResumableUploads needs the `signer` option to discard uploads (they are aborted on S3).',
        );
      }
      const target = watcher?.store ?? store ?? defaultResumeStore();
      const discarded = await discardUpload(
        target,
        toSigner({ signer, token }),
        id,
        locks === undefined ? {} : { locks },
      );
      await watcher?.refresh();
      return discarded;
    },
    [watcher, store],
  );

  return { ...snapshot, refresh, discard };
}
