// Resume orchestration, framework-free: find the record of a re-picked file, reconcile it with
// S3 (the source of truth), and persist a running upload's progress in batches.
import { systemClock } from './clock';
import { isUploadError } from './errors';
import { MiB, type PartLimits, S3_LIMITS } from './limits';
import { type PartPlan, partRange, planParts } from './plan-parts';
import { RECORD_VERSION, type ResumeStore, type StoredPart, type UploadRecord } from './store/types';
import type { CallContext, Clock, Signer, UploadedPart } from './types';
import type { ResumePoint, Upload, UploadFile } from './upload';
import type { UploadStatus } from './upload-state';

/** Local records expire after 7 days unless configured otherwise. */
export const DEFAULT_RESUME_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface PrepareResumeOptions {
  /** The file the user picked (again). */
  file: UploadFile;
  /** `fingerprintFile(file)`: the record's key. */
  fingerprint: string;
  store: ResumeStore;
  signer: Signer;
  /** The signer's identity (its base URL or an app-given id); records of other signers are ignored. */
  signerId: string;
  /** Epoch ms (default Date.now()). */
  now?: number;
  /** Lifetime of the refreshed record (default 7 days). */
  ttlMs?: number;
  /** The part limits given to the Upload (default S3's). */
  limits?: Partial<PartLimits>;
  /** The Upload's preferred part size (default 8 MiB), for uploads found on the signer. */
  partSize?: number;
  /** A FileSystemFileHandle of the file to keep in the record (replaces the recorded one). */
  handle?: unknown;
  signal?: AbortSignal;
}

export interface PreparedResume {
  /** Pass as `resume` to the Upload; absent when there is nothing to continue. */
  resume?: ResumePoint;
  /** Something the user should be told (the earlier upload is gone, could not be checked, ...). */
  notice?: string;
  /** The reconciled record when resuming. */
  record?: UploadRecord;
}

/** The plan the Upload will use for a resume point (same rules as `Upload.prepare`). */
function resumePlan(size: number, partSize: number, limits: PartLimits): PartPlan {
  return planParts(size, partSize, { ...limits, minPartSize: Math.min(limits.minPartSize, partSize) });
}

/** ETags compared without quotes, weak prefix or case (signers differ in how they pass them on). */
function sameEtag(a: string, b: string): boolean {
  const norm = (e: string) => e.trim().replace(/^W\//i, '').replace(/^"|"$/g, '').toLowerCase();
  return norm(a) === norm(b);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Finds the record of `fingerprint` and decides how to continue. Rules (docs/store.md):
 * expired record → aborted on S3 (best effort) and deleted; ListParts decides which parts are
 * done (only parts in the plan with the planned size; a part whose ETag disagrees with the local
 * one is sent again); UPLOAD_NOT_FOUND → record deleted, start again with a notice; ListParts
 * failing otherwise → the locally recorded parts, with a notice. The reconciled record is written
 * back so later batches merge into it.
 */
export async function prepareResume(options: PrepareResumeOptions): Promise<PreparedResume> {
  const { file, fingerprint, store, signer, signerId, signal } = options;
  const now = options.now ?? Date.now();
  const ttlMs = options.ttlMs ?? DEFAULT_RESUME_TTL_MS;
  const ctx: CallContext = signal ? { signal } : {};
  let record: UploadRecord | undefined;
  try {
    record = await store.get(fingerprint);
  } catch (error) {
    return { notice: `The saved upload state could not be read (${message(error)}); starting a new upload.` };
  }
  if (!record) return resumeFromSigner(options, now, ttlMs, ctx);
  // Records are keyed by file: another signer's record stays as it is.
  if (record.signerId !== signerId) return {};
  const ref = { key: record.key, uploadId: record.uploadId };
  const forget = async (notice: string, abortOnS3: boolean): Promise<PreparedResume> => {
    if (abortOnS3) await signer.abortMultipartUpload(ref, ctx).catch(() => {});
    await store.remove(fingerprint).catch(() => {});
    return { notice };
  };

  if (record.expiresAt <= now) {
    return forget('The earlier upload of this file was too old to continue; starting again.', true);
  }
  if (record.size !== file.size) {
    return forget('The file changed since its earlier upload; starting again.', true);
  }
  const limits = { ...S3_LIMITS, ...options.limits };
  let plan: PartPlan;
  try {
    plan = resumePlan(record.size, record.partSize, limits);
  } catch {
    plan = { size: record.size, partSize: -1, partCount: 0 };
  }
  if (plan.partSize !== record.partSize) {
    return forget(
      'The earlier upload of this file used a part size these limits do not allow; starting again.',
      true,
    );
  }
  const expectedSize = (n: number) => {
    const range = partRange(plan, n);
    return range.end - range.start;
  };
  const inPlan = (n: number) => Number.isInteger(n) && n >= 1 && n <= plan.partCount;
  const local = new Map<number, StoredPart>();
  for (const part of record.parts) {
    if (inPlan(part.partNumber) && part.size === expectedSize(part.partNumber))
      local.set(part.partNumber, part);
  }

  let kept: StoredPart[];
  let notice: string | undefined;
  try {
    const listed = await signer.listParts(ref, ctx);
    kept = [];
    let disagreeing = 0;
    const seen = new Set<number>();
    for (const part of listed.parts) {
      const n = part.partNumber;
      if (!inPlan(n) || seen.has(n)) continue;
      if (part.size !== undefined && part.size !== expectedSize(n)) continue;
      const mine = local.get(n);
      if (mine && !sameEtag(mine.etag, part.etag)) {
        disagreeing += 1;
        continue;
      }
      seen.add(n);
      kept.push({ partNumber: n, etag: part.etag, size: expectedSize(n) });
    }
    kept.sort((a, b) => a.partNumber - b.partNumber);
    if (disagreeing > 0) {
      notice = `${plural(disagreeing, 'part')} on S3 did not match what was recorded locally and will be sent again.`;
    }
  } catch (error) {
    if (signal?.aborted) throw error;
    if (isUploadError(error) && error.code === 'UPLOAD_NOT_FOUND') {
      return forget(
        'The earlier upload of this file no longer exists on S3 (aborted or expired); starting again.',
        false,
      );
    }
    kept = [...local.values()].sort((a, b) => a.partNumber - b.partNumber);
    notice = `Could not list the parts on S3 (${message(error)}); continuing with the ${plural(kept.length, 'part')} recorded locally.`;
  }

  const updated: UploadRecord = { ...record, parts: kept, updatedAt: now, expiresAt: now + ttlMs };
  if (options.handle !== undefined) updated.handle = options.handle;
  // Best effort: if this write fails, the next resume reconciles again.
  await store.put(updated).catch(() => {});
  const completedParts: UploadedPart[] = kept.map((p) => ({ ...p }));
  const prepared: PreparedResume = {
    resume: { key: record.key, uploadId: record.uploadId, partSize: record.partSize, completedParts },
    record: updated,
  };
  if (notice) prepared.notice = notice;
  return prepared;
}

/**
 * No local record (another browser or device, or cleared storage): ask the signer for the
 * caller's unfinished upload of this file (`Signer.findUpload`), then let ListParts say which
 * parts are there. The part size is read off part 1 when it is not the whole file; otherwise
 * the planned one. Parts that do not fit that plan are sent again.
 */
async function resumeFromSigner(
  options: PrepareResumeOptions,
  now: number,
  ttlMs: number,
  ctx: CallContext,
): Promise<PreparedResume> {
  const { file, fingerprint, store, signer, signerId, signal } = options;
  if (!signer.findUpload) return {};
  const limits = { ...S3_LIMITS, ...options.limits };
  let planned: number;
  try {
    planned = planParts(file.size, options.partSize ?? 8 * MiB, limits).partSize;
  } catch {
    return {};
  }
  let found: Awaited<ReturnType<NonNullable<Signer['findUpload']>>>;
  try {
    found = await signer.findUpload(
      { fingerprint, size: file.size, ...(file.name ? { name: file.name } : {}) },
      ctx,
    );
  } catch (error) {
    if (signal?.aborted) throw error;
    return {
      notice: `Could not look for an earlier upload of this file (${message(error)}); starting a new upload.`,
    };
  }
  if (!found) return {};
  const ref = { key: found.key, uploadId: found.uploadId };
  let partSize = planned;
  let kept: StoredPart[] = [];
  let notice: string | undefined;
  try {
    const listed = await signer.listParts(ref, ctx);
    const first = listed.parts.find((p) => p.partNumber === 1);
    if (first?.size !== undefined && first.size < file.size) partSize = first.size;
    let plan: PartPlan;
    try {
      plan = resumePlan(file.size, partSize, limits);
      if (plan.partSize !== partSize) throw new Error('part size outside limits');
    } catch {
      partSize = planned;
      plan = resumePlan(file.size, partSize, limits);
    }
    const seen = new Set<number>();
    for (const part of listed.parts) {
      const n = part.partNumber;
      if (n < 1 || n > plan.partCount || seen.has(n)) continue;
      const range = partRange(plan, n);
      if (part.size !== undefined && part.size !== range.end - range.start) continue;
      seen.add(n);
      kept.push({ partNumber: n, etag: part.etag, size: range.end - range.start });
    }
    kept.sort((a, b) => a.partNumber - b.partNumber);
    if (kept.length > 0)
      notice = `Continuing the upload started elsewhere: ${plural(kept.length, 'part')} already on S3.`;
  } catch (error) {
    if (signal?.aborted) throw error;
    if (isUploadError(error) && error.code === 'UPLOAD_NOT_FOUND') return {};
    // The store cannot list parts (e.g. s3rver): continue the same upload, sending every part.
    kept = [];
    notice = `Continuing the upload started elsewhere, but its parts could not be listed (${message(error)}); every part is sent again.`;
  }
  const record: UploadRecord = {
    version: RECORD_VERSION,
    id: fingerprint,
    signerId,
    name: file.name ?? 'upload',
    size: file.size,
    type: file.type,
    lastModified: file.lastModified ?? 0,
    key: found.key,
    uploadId: found.uploadId,
    partSize,
    parts: kept,
    createdAt: found.initiated ?? now,
    updatedAt: now,
    expiresAt: now + ttlMs,
    ...(options.handle !== undefined ? { handle: options.handle } : {}),
  };
  // persistUpload only writes on 'created', which a resume does not emit: write the record now.
  await store.put(record).catch(() => {});
  const prepared: PreparedResume = {
    resume: { ...ref, partSize, completedParts: kept.map((p) => ({ ...p })) },
    record,
  };
  if (notice) prepared.notice = notice;
  return prepared;
}

export interface PersistUploadOptions {
  store: ResumeStore;
  fingerprint: string;
  /** The uploaded file (its name, size, type and lastModified are recorded). */
  file: UploadFile;
  signerId: string;
  /** At most one batched write per this interval (default 1000 ms). */
  flushIntervalMs?: number;
  /** Records expire this long after their last write (default 7 days). */
  ttlMs?: number;
  /** Name to record (default: the file's name). */
  name?: string;
  /** Content type to record (default: the file's type). */
  type?: string;
  /** The file's FileSystemFileHandle, kept in the record to reopen the file later (browsers). */
  handle?: unknown;
  clock?: Clock;
  /** A write failed; the upload carries on (on resume, ListParts recovers what S3 holds). */
  onError?: (error: unknown) => void;
}

export interface UploadPersistence {
  /** Writes buffered parts now and resolves when every write so far has settled (never rejects). */
  flush(): Promise<void>;
  /** Stops listening; buffered parts are still written (fire and forget). */
  dispose(): void;
}

const FLUSH_NOW: readonly UploadStatus[] = ['paused', 'offline', 'error'];

/**
 * Keeps the store in step with an upload: 'created' writes the record at once; finished parts
 * are buffered and written in one `addParts` per `flushIntervalMs` (and at once on pause,
 * offline or error); completion or cancellation removes the record, as does an error saying
 * the multipart upload no longer exists. Writes are serialized in event order.
 */
export function persistUpload(
  upload: Pick<Upload, 'subscribe'>,
  options: PersistUploadOptions,
): UploadPersistence {
  const { store, fingerprint: id, file } = options;
  const clock = options.clock ?? systemClock;
  const interval = Math.max(0, options.flushIntervalMs ?? 1000);
  const ttlMs = options.ttlMs ?? DEFAULT_RESUME_TTL_MS;
  let pending: StoredPart[] = [];
  let timer: unknown = null;
  let lastWrite = Number.NEGATIVE_INFINITY;
  let finished = false;
  let queue: Promise<void> = Promise.resolve();

  const enqueue = (write: () => Promise<unknown>): Promise<void> => {
    queue = queue.then(write).then(
      () => {},
      (error: unknown) => options.onError?.(error),
    );
    return queue;
  };
  const cancelTimer = () => {
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
  };
  const writePending = (): Promise<void> => {
    cancelTimer();
    if (pending.length === 0) return queue;
    const batch = pending;
    pending = [];
    const now = clock.now();
    lastWrite = now;
    return enqueue(() => store.addParts(id, batch, { updatedAt: now, expiresAt: now + ttlMs }));
  };
  const schedule = () => {
    if (timer !== null) return;
    timer = clock.setTimeout(
      () => {
        timer = null;
        void writePending();
      },
      Math.max(0, lastWrite + interval - clock.now()),
    );
  };
  const removeRecord = () => {
    finished = true;
    cancelTimer();
    pending = [];
    void enqueue(() => store.remove(id));
  };

  const unsubscribe = upload.subscribe((state, event) => {
    if (finished) return;
    if (event.type === 'created') {
      const now = clock.now();
      lastWrite = now;
      const record: UploadRecord = {
        version: RECORD_VERSION,
        id,
        signerId: options.signerId,
        name: options.name ?? file.name ?? 'upload',
        size: file.size,
        type: options.type ?? file.type,
        lastModified: file.lastModified ?? 0,
        key: event.key,
        uploadId: event.uploadId,
        partSize: event.partSize,
        parts: [],
        createdAt: now,
        updatedAt: now,
        expiresAt: now + ttlMs,
      };
      if (options.handle !== undefined) record.handle = options.handle;
      void enqueue(() => store.put(record));
    } else if (event.type === 'part') {
      const { partNumber, etag, size } = event.part;
      pending.push({ partNumber, etag, size: size ?? 0 });
      schedule();
    } else if (event.type === 'status') {
      if (event.status === 'completed' || event.status === 'cancelled') removeRecord();
      else if (event.status === 'error' && state.error?.code === 'UPLOAD_NOT_FOUND') removeRecord();
      else if (FLUSH_NOW.includes(event.status)) void writePending();
    }
  });

  return {
    flush: () => writePending(),
    dispose() {
      unsubscribe();
      void writePending();
    },
  };
}

export interface ResumableUpload extends UploadRecord {
  /** Bytes of the parts recorded as stored on S3. */
  bytesUploaded: number;
}

/**
 * Resumable uploads, most recently active first, after deleting expired records. Their files
 * must be picked again to continue (a browser cannot reopen a file by itself).
 */
export async function listResumableUploads(
  store: ResumeStore,
  now: number = Date.now(),
  filter: { signerId?: string } = {},
): Promise<ResumableUpload[]> {
  await store.removeExpired(now);
  return (await store.list())
    .filter((r) => r.expiresAt > now && (filter.signerId === undefined || r.signerId === filter.signerId))
    .sort((a, b) => b.updatedAt - a.updatedAt)
    .map((r) => ({ ...r, bytesUploaded: r.parts.reduce((n, p) => n + p.size, 0) }));
}

/**
 * Aborts the multipart upload on S3 (already gone is fine) and deletes the record. Returns false
 * when there was no record. Any other abort failure is thrown and the record kept, so it can be
 * discarded again later rather than leaving stored parts behind unnoticed.
 */
export async function discardResumableUpload(
  store: ResumeStore,
  signer: Signer,
  fingerprint: string,
  ctx: CallContext = {},
): Promise<boolean> {
  const record = await store.get(fingerprint);
  if (!record) return false;
  try {
    await signer.abortMultipartUpload({ key: record.key, uploadId: record.uploadId }, ctx);
  } catch (error) {
    if (!(isUploadError(error) && error.code === 'UPLOAD_NOT_FOUND')) throw error;
  }
  await store.remove(fingerprint);
  return true;
}
