import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConcurrencyPool } from '../engine/concurrency-pool';
import { UploadError } from '../engine/errors';
import { fingerprintFile } from '../engine/fingerprint';
import { createHttpSigner } from '../engine/http-signer';
import { MiB } from '../engine/limits';
import { openFileAsBlob } from '../engine/node-file';
import { persistUpload, prepareResume } from '../engine/resume';
import { FileResumeStore } from '../engine/store/file-store';
import { createFetchTransport } from '../engine/transport-fetch';
import { createUpload } from '../engine/upload';
import type { UploadResult } from '../engine/upload-state';
import type { UploadArgs } from './args';
import { progressLine } from './progress-line';

export interface CommandIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Resolves when the user interrupts (Ctrl-C); the upload then stops and keeps its state. */
  interrupted: Promise<void>;
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
  const store = new FileResumeStore(args.stateDir);
  const fingerprint = await fingerprintFile(file);
  await store.removeExpired(Date.now()).catch(() => {});

  // Records are keyed by fingerprint and tied to the signer URL: a run against another signer starts afresh.
  // With no local record, the signer is asked for an unfinished upload of this file (another machine).
  const prepared = await prepareResume({
    file,
    fingerprint,
    store,
    signer,
    signerId: args.signer,
    ...(args.partSizeMiB ? { partSize: args.partSizeMiB * MiB } : {}),
  });
  const resume = prepared.resume;
  // One line: the reconciliation's notice, when there is one, already counts the parts.
  if (resume)
    notice(
      `Resuming ${resume.key}: ${prepared.notice ?? `${resume.completedParts.length} parts already on S3.`}`,
    );
  else if (prepared.notice) notice(prepared.notice);

  const upload = createUpload(file, {
    signer,
    transport: createFetchTransport(),
    concurrency: args.concurrency,
    pool: new ConcurrencyPool(args.concurrency),
    ...(args.partSizeMiB ? { partSize: args.partSizeMiB * MiB } : {}),
    fingerprint,
    ...(resume ? { resume } : {}),
  });
  const persistence = persistUpload(upload, {
    store,
    fingerprint,
    file,
    signerId: args.signer,
    onError: (e) => notice(`Could not save resume state: ${e instanceof Error ? e.message : String(e)}`),
  });

  const tty = Boolean(io.stderr.isTTY) && !args.json;
  let lastDraw = 0;
  upload.subscribe((state, event) => {
    if (event.type === 'retry' && !args.json) {
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
    await persistence.flush();
    throw new UploadError('CANCELLED', 'Interrupted; run the same command again to resume.');
  });
  try {
    return await Promise.race([upload.start(), interrupted]);
  } finally {
    // Completion removed the record; a failure or interruption wrote the last parts.
    await persistence.flush();
    persistence.dispose();
    if (tty) io.stderr.write('\n');
  }
}
