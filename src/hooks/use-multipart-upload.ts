import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { SessionState, Upload, UploadFile, UploadResult } from '../engine/index';
import type { FileOptions, UploaderOptions } from './types';
import { UploadSlot } from './upload-slot';

export interface MultipartUploadResult extends SessionState {
  /**
   * The engine's Upload of the current file: null before the first start, and while a resumable
   * upload is still being prepared (fingerprint, lock, reconciliation). Hold it to keep control
   * after unmount.
   */
  upload: Upload | null;
  /**
   * Creates and starts an upload of `file`. Settles like Upload.start(): resolves with the object,
   * rejects with an UploadError (also when cancelled). Rejects at once while another upload of
   * this hook is in progress; a failed one is cancelled (aborted on S3) and replaced.
   */
  start(file: UploadFile, options?: FileOptions): Promise<UploadResult>;
  pause(): void;
  resume(): void;
  /** Stops and aborts the multipart upload on S3 (before it exists: only stops waiting). */
  cancel(): Promise<void>;
  /** After an error: continues with the parts already stored. */
  retry(): void;
}

/**
 * One file's upload as React state. Nothing starts on mount (StrictMode's double effects are
 * harmless): uploads start only through `start`. Unmounting unsubscribes but neither pauses nor
 * cancels: a running upload finishes in the background; call `cancel` in a cleanup to stop it.
 *
 * Resumable by default in browsers with a signer URL (`options.resume`): `start(file)` continues
 * the earlier upload of the same file (after a reload or a restart), and while another tab is
 * uploading it, `lockedElsewhere` is true and this one waits to take over.
 */
export function useMultipartUpload(options: UploaderOptions): MultipartUploadResult {
  const [slot] = useState(() => new UploadSlot(options));
  // Options are read when an upload is created, so the latest ones are kept without resubscribing.
  useEffect(() => {
    slot.options = options;
  });
  const state = useSyncExternalStore(slot.subscribe, slot.getState, slot.getState);
  return useMemo(
    () => ({
      ...state,
      upload: slot.current,
      start: slot.start,
      pause: slot.pause,
      resume: slot.resume,
      cancel: slot.cancel,
      retry: slot.retry,
    }),
    [slot, state],
  );
}
