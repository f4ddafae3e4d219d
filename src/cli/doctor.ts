// `s3mu doctor`: runs the checks of doctor-checks.ts in order, skips those whose prerequisite
// failed, always aborts the test upload it created, and prints doctor-report.ts's checklist.
import type { CreateMultipartOutput } from '../engine/types';
import type { DoctorArgs } from './args';
import {
  type CreateOutcome,
  checkAuth,
  checkClock,
  checkEtagExposed,
  checkPartHosts,
  checkPartStored,
  checkS3Preflight,
  checkS3Put,
  checkSignerCors,
  checkSignerReachable,
  checkTestUpload,
  cleanupTestUpload,
  type DoctorContext,
  makeTestFile,
  type TestFile,
} from './doctor-checks';
import {
  type CheckId,
  type CheckResult,
  type DoctorReport,
  formatReport,
  formatReportJson,
  makeReport,
  type SkippedCheck,
} from './doctor-report';

export interface DoctorOptions {
  signer: string;
  origin: string;
  token?: string | undefined;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  now?: () => number;
  /** Per request (default 15 s). */
  timeoutMs?: number;
}

const S3_CHECKS: CheckId[] = ['s3-cors-preflight', 's3-put', 'etag-exposed', 'part-stored', 'part-hosts'];

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const ctx: DoctorContext = {
    signer: options.signer.replace(/\/+$/, ''),
    origin: options.origin,
    token: options.token || undefined,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    now: options.now ?? Date.now,
    timeoutMs: options.timeoutMs ?? 15_000,
  };
  const checks: CheckResult[] = [];
  const skipped: SkippedCheck[] = [];
  const skip = (ids: CheckId[], reason: string) => {
    for (const id of ids) skipped.push({ id, reason });
  };

  const reachable = await checkSignerReachable(ctx);
  checks.push(reachable.result);
  const time = reachable.time;
  if (!time) {
    skip(
      ['signer-cors', 'auth', 'clock-skew', 'test-upload', ...S3_CHECKS, 'cleanup'],
      'the signer did not answer GET /time',
    );
    return makeReport(checks, skipped);
  }
  checks.push(await checkSignerCors(ctx, time));

  const file = makeTestFile(ctx.now());
  const auth = await checkAuth(ctx, file);
  checks.push(auth.result);
  checks.push(checkClock(time));

  const upload: CreateMultipartOutput | undefined = auth.created.ok ? auth.created.value : undefined;
  try {
    if (auth.result.status === 'fail') skip(['test-upload', ...S3_CHECKS], 'authentication failed');
    else await uploadChecks(ctx, file, auth.created, checks, skip);
  } finally {
    // The protocol has no delete: the test upload is never completed, only aborted, even after an error.
    if (upload) checks.push(await cleanupTestUpload(ctx, upload));
    else skip(['cleanup'], 'no test upload was created');
  }
  return makeReport(checks, skipped);
}

/**
 * 5–9: sign the part, preflight and PUT it as the browser would, read it back through ListParts;
 * then the same preflight and PUT on every other host the signer put part URLs on.
 */
async function uploadChecks(
  ctx: DoctorContext,
  file: TestFile,
  created: CreateOutcome,
  checks: CheckResult[],
  skip: (ids: CheckId[], reason: string) => void,
): Promise<void> {
  const started = await checkTestUpload(ctx, file, created);
  checks.push(started.result);
  if (!started.signed || !started.parts || !created.ok) {
    skip(S3_CHECKS, 'no test upload');
    return;
  }
  const upload = created.value;
  const preflight = await checkS3Preflight(ctx, started.signed, upload.key);
  checks.push(preflight);
  const put = await checkS3Put(ctx, started.signed, file, upload.key);
  checks.push(put.result);
  if (!put.answer) {
    skip(['etag-exposed', 'part-stored', 'part-hosts'], 'S3 did not store the test part');
    return;
  }
  const etag = checkEtagExposed(ctx, put.answer, started.signed, upload.key);
  checks.push(etag);
  checks.push(await checkPartStored(ctx, upload, file));
  if ([preflight, put.result, etag].some((c) => c.status === 'fail')) {
    skip(['part-hosts'], "the checks of part 1's host failed");
  } else {
    checks.push(
      await checkPartHosts(
        ctx,
        { parts: started.parts, refusedOthers: started.refusedOthers },
        file,
        upload.key,
      ),
    );
  }
}

export interface DoctorIO {
  stdout: NodeJS.WritableStream;
}

/** The command: prints the checklist (or `--json`) and returns the exit code (0: no check failed). */
export async function doctorCommand(args: DoctorArgs, io: DoctorIO, options: Partial<DoctorOptions> = {}) {
  const report = await runDoctor({ ...options, signer: args.signer, origin: args.origin, token: args.token });
  io.stdout.write(
    args.json ? formatReportJson(report) : formatReport(report, { signer: args.signer, origin: args.origin }),
  );
  return report.ok ? 0 : 1;
}
