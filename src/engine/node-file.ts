import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';

// Node-only: the one engine file allowed to import node:*. Keep it out of browser entry points.

export interface OpenFileOptions {
  /** MIME type to report (default empty, like a browser File of unknown type). */
  type?: string;
  /** Name to report (default: the path's last segment). */
  name?: string;
}

/**
 * A File backed by the file on disk (Node ≥ 19.8): nothing is read until a slice is streamed,
 * so a file of any size costs no memory. If the file changes on disk after this call, reading
 * it fails (NotReadableError) instead of silently uploading mixed content.
 */
export async function openFileAsBlob(path: string, options: OpenFileOptions = {}): Promise<File> {
  const blob = await openAsBlob(path, { type: options.type ?? '' });
  const { mtimeMs } = await stat(path);
  // Wrapping references the disk-backed blob; it does not copy it.
  return new File([blob], options.name ?? basename(path), {
    type: blob.type,
    lastModified: Math.trunc(mtimeMs),
  });
}
