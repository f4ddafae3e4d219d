// What is kept between runs to continue a multipart upload, and the store contract that keeps it.
// Plain data only (a record crosses IndexedDB's structured clone and JSON unchanged), except the
// optional `handle`, which only IndexedDB and memory keep.

/** Format version of a record; a store ignores records of other versions. */
export const RECORD_VERSION = 1;

/** A part S3 acknowledged, with the ETag CompleteMultipartUpload needs. */
export interface StoredPart {
  partNumber: number;
  etag: string;
  size: number;
}

/** One resumable multipart upload (one per file fingerprint). */
export interface UploadRecord {
  version: typeof RECORD_VERSION;
  /** The file's fingerprint (`fingerprintFile`): the record's key. */
  id: string;
  /** Which signer (its base URL, or an id the app chooses) owns `uploadId`; other signers' records are never used. */
  signerId: string;
  name: string;
  size: number;
  type: string;
  lastModified: number;
  key: string;
  uploadId: string;
  partSize: number;
  /** Parts S3 acknowledged, sorted by part number, one entry per number. */
  parts: StoredPart[];
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
  /** Epoch ms after which the record is discarded (refreshed on every write). */
  expiresAt: number;
  /**
   * Where the browser can keep one: the file's `FileSystemFileHandle` (File System Access API,
   * a file opened through `showOpenFilePicker` or dropped as a handle), so the upload can be
   * resumed after a restart without picking the file again. IndexedDB stores it by structured
   * clone and the memory store keeps it as it is; the JSON-file store drops it.
   */
  handle?: unknown;
}

/** What `addParts` refreshes along with the parts. */
export interface RecordTouch {
  updatedAt: number;
  expiresAt: number;
}

/**
 * Where resumable uploads are kept: IndexedDB (`DexieResumeStore`), memory (`MemoryResumeStore`,
 * for SSR and tests) or JSON files (`FileResumeStore`, Node). Every method is one atomic write or
 * read; `addParts` is the batched write the persister calls at most once per flush interval.
 */
export interface ResumeStore {
  get(id: string): Promise<UploadRecord | undefined>;
  /** Creates or replaces a record. */
  put(record: UploadRecord): Promise<void>;
  /**
   * Merges `parts` into an existing record (a part number already present is replaced) and
   * refreshes its timestamps, atomically. Returns false, writing nothing, when the record is
   * gone (completed, cancelled or discarded meanwhile): a late batch never resurrects it.
   */
  addParts(id: string, parts: readonly StoredPart[], touch: RecordTouch): Promise<boolean>;
  remove(id: string): Promise<void>;
  /** Every record, in no particular order. */
  list(): Promise<UploadRecord[]>;
  /** Deletes the records with `expiresAt <= now` and returns them. */
  removeExpired(now: number): Promise<UploadRecord[]>;
  /**
   * Optional: calls `listener` after records change (this page's writes, and other tabs' where
   * the store can tell); returns an unsubscribe function. Lists of resumable uploads refresh
   * through it, and poll stores that lack it.
   */
  subscribe?(listener: () => void): () => void;
}

/** `parts` merged into `existing` by part number (later wins), sorted. Shared by the stores. */
export function mergeParts(existing: readonly StoredPart[], parts: readonly StoredPart[]): StoredPart[] {
  const byNumber = new Map<number, StoredPart>();
  for (const part of existing) byNumber.set(part.partNumber, part);
  for (const part of parts) byNumber.set(part.partNumber, { ...part });
  return [...byNumber.values()].sort((a, b) => a.partNumber - b.partNumber);
}

/** True when `value` looks like a record of the current version (files and IndexedDB can hold anything). */
export function isUploadRecord(value: unknown): value is UploadRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  const str = (k: string) => typeof r[k] === 'string';
  const num = (k: string) => typeof r[k] === 'number' && Number.isFinite(r[k]);
  return (
    r.version === RECORD_VERSION &&
    str('id') &&
    str('signerId') &&
    str('name') &&
    num('size') &&
    str('type') &&
    num('lastModified') &&
    str('key') &&
    str('uploadId') &&
    num('partSize') &&
    num('createdAt') &&
    num('updatedAt') &&
    num('expiresAt') &&
    Array.isArray(r.parts) &&
    r.parts.every(
      (p: unknown) =>
        typeof p === 'object' &&
        p !== null &&
        Number.isInteger((p as StoredPart).partNumber) &&
        typeof (p as StoredPart).etag === 'string' &&
        typeof (p as StoredPart).size === 'number',
    )
  );
}
