// Unfinished uploads for the "resume your unfinished uploads" stories: a record in the story's
// resume store (what an interrupted page leaves in IndexedDB) and the same multipart upload on
// the mock S3 with the parts it already holds.
import { fingerprintFile } from '../../src/engine/index';
import { RECORD_VERSION, type UploadRecord } from '../../src/engine/store/types';
import { PART, SIGNER_ID } from './fixtures';
import type { MockLoaded } from './msw';

const HOUR = 3_600_000;

export interface Unfinished {
  file: File;
  record: UploadRecord;
}

/**
 * Records `file` as uploaded up to `partsDone` parts (of PART bytes), last active `hoursAgo`,
 * with those parts on the mock S3.
 */
export async function seedUnfinished(
  loaded: MockLoaded,
  file: File,
  partsDone: number,
  hoursAgo = 2,
): Promise<Unfinished> {
  const id = await fingerprintFile(file);
  const parts = Array.from({ length: partsDone }, (_, i) => ({ partNumber: i + 1, size: PART }));
  const seeded = loaded.mock.seedUpload(file.name, id, parts);
  const now = Date.now();
  const record: UploadRecord = {
    version: RECORD_VERSION,
    id,
    signerId: SIGNER_ID,
    name: file.name,
    size: file.size,
    type: file.type,
    lastModified: file.lastModified,
    key: seeded.key,
    uploadId: seeded.uploadId,
    partSize: PART,
    parts: parts.map((p) => ({ ...p, etag: seeded.etag(p.partNumber) })),
    createdAt: now - (hoursAgo + 1) * HOUR,
    updatedAt: now - hoursAgo * HOUR,
    expiresAt: now + 7 * 24 * HOUR,
  };
  await loaded.store.put(record);
  return { file, record };
}

/** Holds the upload lock of `unfinished`, as another tab uploading it does. */
export async function lockElsewhere(loaded: MockLoaded, unfinished: Unfinished): Promise<void> {
  const lock = await loaded.locks.acquire(unfinished.record.id);
  if (!lock.acquired) throw new Error(`the lock of ${unfinished.file.name} is already held`);
}
