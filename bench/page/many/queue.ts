// This library's many-files path without React: the QueueStore behind useUploadQueue, with the
// hook's defaults (signer URL, XHR transport, page-wide shared pool of 6 parts, 3 files at once).
// Files under the single-PUT threshold (8 MiB) each get one Upload sending one presigned PUT.
import type { UploadOptions } from '../../../src/engine/index';
import { QueueStore } from '../../../src/hooks/queue-store';

/** Uploads every file through one queue; resolves with their keys in `files` order. */
export function uploadThroughQueue(
  files: File[],
  signerUrl: string,
  options: Pick<UploadOptions, 'integrity'> = {},
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const keys = new Map<File, string>();
    const store = new QueueStore({
      signer: signerUrl,
      ...options,
      onComplete(result, file) {
        keys.set(file, result.key);
        if (keys.size === files.length) resolve(files.map((f) => keys.get(f) ?? ''));
      },
      onError(error, file) {
        reject(new Error(`${file.name}: ${error.code} ${error.message}`));
        void store.cancelAll();
      },
    });
    store.add(files);
  });
}
