// S3 request counts and the time breakdown of each run, from the NetLog of its repetition.
import { log } from '../log';
import type { RunRecord } from '../results';
import {
  countRequests,
  type LoggedRequest,
  type NetLog,
  objectRequests,
  offLoopback,
  originRequests,
} from './netlog';
import { timeline } from './timeline';

/** PUTs per origin (a multipart upload's parts; a single PUT; many files: one per file). */
function putsByOrigin(requests: readonly LoggedRequest[]): Map<string, number> {
  const puts = new Map<string, number>();
  for (const r of requests) {
    if (r.method !== 'PUT') continue;
    const origin = new URL(r.url).origin;
    puts.set(origin, (puts.get(origin) ?? 0) + 1);
  }
  return puts;
}

/**
 * A run's requests to S3 across `origins`, in start order: those of its object (`key`), or for many
 * files every request to those origins within `window`.
 */
export function s3RunRequests(
  requests: readonly LoggedRequest[],
  origins: readonly string[],
  bucket: string,
  key: string,
  window: { start: number; end: number },
  manyFiles: boolean,
): LoggedRequest[] {
  return origins
    .flatMap((o) =>
      manyFiles
        ? originRequests(requests, o, window.start, window.end)
        : objectRequests(requests, o, bucket, key),
    )
    .sort((a, b) => a.start - b.start);
}

/**
 * Fills in `s3Requests`, `timeline` and the PUTs of `s3Hosts` of `records`. `origins.s3`: every S3
 * origin the browser may have been given (a contender may spread its parts over several).
 */
export function analyseNetLog(
  netLog: NetLog,
  origins: { s3: string[]; signers: string[] },
  bucket: string,
  /** Parts the run's contender keeps in flight: the slots of its timeline. */
  slotsOf: (record: RunRecord) => number,
  records: readonly RunRecord[],
): void {
  const { requests } = netLog;
  for (const record of records) {
    const { start, end } = record.window;
    // Many files: every request to S3 during the run (contenders run one at a time).
    const manyFiles = (record.objects ?? 1) > 1;
    const s3 = s3RunRequests(requests, origins.s3, bucket, record.key, record.window, manyFiles);
    const signer = origins.signers.flatMap((o) => originRequests(requests, o, start, end));
    record.s3Requests = countRequests(s3);
    record.timeline = record.ok ? timeline(s3, signer, slotsOf(record), manyFiles) : null;
    const hosts = record.s3Hosts ?? {};
    for (const [origin, puts] of putsByOrigin(s3)) hosts[origin] = { ...hosts[origin], puts };
    if (Object.keys(hosts).length) record.s3Hosts = hosts;
  }
  const outside = offLoopback(netLog);
  if (outside.length) log(`WARNING: Chromium reached off loopback: ${outside.join(', ')}`);
}
