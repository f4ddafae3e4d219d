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
    const s3 = objectRequests(requests, origins.s3, bucket, record.key);
    const { start, end } = record.window;
    const signer = origins.signers.flatMap((o) => originRequests(requests, o, start, end));
    record.s3Requests = countRequests(s3);
    record.timeline = record.ok ? timeline(s3, signer, concurrency) : null;
  }
  const outside = offLoopback(netLog);
  if (outside.length) log(`WARNING: Chromium reached off loopback: ${outside.join(', ')}`);
}
