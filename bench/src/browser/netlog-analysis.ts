// S3 request counts and the time breakdown of each run, from the NetLog of its repetition.
import { log } from '../log';
import type { RunRecord } from '../results';
import { countRequests, type NetLog, objectRequests, offLoopback, originRequests } from './netlog';
import { timeline } from './timeline';

/** Fills in `s3Requests` and `timeline` of `records`. */
export function analyseNetLog(
  netLog: NetLog,
  origins: { s3: string; signers: string[] },
  bucket: string,
  concurrency: number,
  records: readonly RunRecord[],
): void {
  const { requests } = netLog;
  for (const record of records) {
    const { start, end } = record.window;
    // Many files: every request to S3 during the run (contenders run one at a time).
    const manyFiles = (record.objects ?? 1) > 1;
    const s3 = manyFiles
      ? originRequests(requests, origins.s3, start, end)
      : objectRequests(requests, origins.s3, bucket, record.key);
    const signer = origins.signers.flatMap((o) => originRequests(requests, o, start, end));
    record.s3Requests = countRequests(s3);
    record.timeline = record.ok ? timeline(s3, signer, concurrency, manyFiles) : null;
  }
  const outside = offLoopback(netLog);
  if (outside.length) log(`WARNING: Chromium reached off loopback: ${outside.join(', ')}`);
}
