import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConcurrencyPool } from '../engine/concurrency-pool';
import { isUploadError, UploadError } from '../engine/errors';
import { createHttpSigner } from '../engine/http-signer';
import { MiB } from '../engine/limits';
import { openFileAsBlob } from '../engine/node-file';
import { partRange, planParts } from '../engine/plan-parts';
import { createFetchTransport } from '../engine/transport-fetch';
import type { Signer, UploadedPart } from '../engine/types';
import { createUpload, type ResumePoint } from '../engine/upload';
import type { UploadResult } from '../engine/upload-state';
import type { UploadArgs } from './args';
import { fingerprintFile } from './fingerprint';
import { progressLine } from './progress-line';
import { ResumeFileStore, type ResumeRecord } from './resume-file-store';

export interface CommandIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Resolves when the user interrupts (Ctrl-C); the upload then stops and keeps its state. */
  interrupted: Promise<void>;
}

const SAVE_INTERVAL_MS = 1000;

/**
 * Parts S3 already holds for a recorded upload, checked against the part plan. S3 is the
 * source of truth; when the signer cannot list (stores without ListParts), the locally
 * recorded parts (each acknowledged by S3 with its ETag) are used.
 */
async function partsToKeep(
  signer: Signer,
  record: ResumeRecord,
  notice: (m: string) => void,
): Promise<UploadedPart[] | null> {
  const plan = planParts(record.size, record.partSize, {
    minPartSize: Math.min(5 * MiB, record.partSize),
    maxPartSize: 5 * 1024 * MiB,
    maxParts: 10_000,
  });
  const expectedSize = (n: number) => {
    const r = partRange(plan, n);
    return r.end - r.start;
  };
  try {
    const listed = await signer.listParts({ key: record.key, uploadId: record.uploadId });
    return listed.parts.filter(
      (p) =>
        p.partNumber <= plan.partCount && (p.size === undefined || p.size === expectedSize(p.partNumber)),
    );
  } catch (error) {
    if (isUploadError(error) && error.code === 'UPLOAD_NOT_FOUND') {
      notice('The earlier upload of this file no longer exists on S3 (aborted or expired); starting again.');
      return null;
    }
    notice(
      `Could not list the parts on S3 (${(error as Error).message}); using the ${record.parts.length} parts recorded locally.`,
    );
    return record.parts;
  }
}

export async function runUpload(args: UploadArgs, io: CommandIO): Promise<UploadResult> {
  const path = resolve(args.file);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw new UploadError(
      'FILE_UNREADABLE',
      `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
    );
  }
  if (!info.isFile()) throw new UploadError('FILE_UNREADABLE', `${path} is not a regular file.`);
  const file = await openFileAsBlob(path, args.keyHint ? { name: args.keyHint } : {});
  const notice = (message: string) => io.stderr.write(`s3mu: ${message}\n`);
  const signer = createHttpSigner(args.signer, args.token ? { token: args.token } : {});
  const store = new ResumeFileStore(args.stateDir);
  const fingerprint = await fingerprintFile(path, info.size, info.mtimeMs);

  let resume: ResumePoint | undefined;
  const earlier = await store.load(fingerprint);
  if (earlier && earlier.signer === args.signer && earlier.size === info.size) {
    const parts = await partsToKeep(signer, earlier, notice);
    if (parts) {
      resume = {
        key: earlier.key,
        uploadId: earlier.uploadId,
        partSize: earlier.partSize,
        completedParts: parts,
      };
      notice(`Resuming ${earlier.key}: ${parts.length} parts already on S3.`);
    } else {
      await store.remove(fingerprint);
    }
  }

  const upload = createUpload(file, {
    signer,
    transport: createFetchTransport(),
    concurrency: args.concurrency,
    pool: new ConcurrencyPool(args.concurrency),
    ...(args.partSizeMiB ? { partSize: args.partSizeMiB * MiB } : {}),
    fingerprint,
    ...(resume ? { resume } : {}),
  });

  let record: ResumeRecord | null =
    resume && earlier ? { ...earlier, parts: [...resume.completedParts] } : null;
  let saveTimer: NodeJS.Timeout | null = null;
  let saving: Promise<void> = Promise.resolve();
  const save = () => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = null;
    const snapshot = record ? { ...record, parts: [...record.parts], updatedAt: Date.now() } : null;
    if (snapshot)
      saving = saving
        .then(() => store.save(snapshot))
        .catch((e: Error) => {
          notice(`Could not save resume state: ${e.message}`);
        });
    return saving;
  };
  const tty = Boolean(io.stderr.isTTY) && !args.json;
  let lastDraw = 0;
  upload.subscribe((state, event) => {
    if (event.type === 'created') {
      record = {
        version: 1,
        signer: args.signer,
        fingerprint,
        path,
        size: info.size,
        lastModified: Math.trunc(info.mtimeMs),
        key: event.key,
        uploadId: event.uploadId,
        partSize: event.partSize,
        parts: [],
        updatedAt: Date.now(),
      };
      void save();
    } else if (event.type === 'part' && record) {
      record.parts.push(event.part);
      saveTimer ??= setTimeout(save, SAVE_INTERVAL_MS);
    } else if (event.type === 'retry' && !args.json) {
      notice(
        `retrying${event.partNumber ? ` part ${event.partNumber}` : ''} in ${event.delayMs} ms (${event.detail})`,
      );
    }
    const now = Date.now();
    if (tty && (now - lastDraw > 200 || event.type === 'status')) {
      lastDraw = now;
      io.stderr.write(`\r${progressLine(state)}\x1b[K`);
    }
  });

  const interrupted = io.interrupted.then(async () => {
    upload.pause();
    await save();
    throw new UploadError('CANCELLED', 'Interrupted; run the same command again to resume.');
  });
  try {
    const result = await Promise.race([upload.start(), interrupted]);
    if (saveTimer) clearTimeout(saveTimer);
    await saving;
    await store.remove(fingerprint);
    return result;
  } catch (error) {
    await save();
    throw error;
  } finally {
    if (tty) io.stderr.write('\n');
  }
}
