import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../results';
import type { LoggedRequest, NetLog } from './netlog';
import { analyseNetLog } from './netlog-analysis';

const A = 'http://127.0.0.1:4001';
const B = 'http://127.0.0.1:4002';
const SIGNER = 'http://127.0.0.1:5000';
const KEY = 'uploads/x.bin';

function request(method: string, url: string, start: number, end = start + 10): LoggedRequest {
  return { method, url, start, end };
}

function record(s3Hosts?: RunRecord['s3Hosts']): RunRecord {
  return {
    repetition: 1,
    key: KEY,
    ok: true,
    ms: 100,
    mbps: 1,
    longTaskMs: 0,
    longTasks: 0,
    longestTaskMs: 0,
    heapBaselineBytes: null,
    heapPeakBytes: null,
    signerRequests: { total: 0, preflights: 0, detail: {} },
    s3Requests: { total: 0, preflights: 0, detail: {} },
    ...(s3Hosts ? { s3Hosts } : {}),
    window: { start: 0, end: 1000 },
    timeline: null,
  };
}

describe('analyseNetLog', () => {
  it('counts the object requests on every S3 origin, and the PUTs per origin', () => {
    const part = (origin: string, n: number) => `${origin}/bench/${KEY}?partNumber=${n}&uploadId=u`;
    const requests = [
      request('POST', `${SIGNER}/api/uploads/multipart`, 1),
      request('POST', `${A}/bench/${KEY}?uploads`, 5),
      request('OPTIONS', part(A, 1), 20),
      request('PUT', part(A, 1), 30, 500),
      request('OPTIONS', part(B, 2), 21),
      request('PUT', part(B, 2), 31, 510),
      request('PUT', part(A, 3), 40, 520),
      request('PUT', `${A}/bench/other-object?partNumber=1`, 40),
    ];
    const netLog: NetLog = { requests, connectedTo: [], dnsTransactions: 0 };
    // The proxies' figures, filled in before the NetLog is read: kept, PUTs added.
    const r = record({
      [A]: { puts: 0, connections: 2, bytesUp: 7 },
      [B]: { puts: 0, connections: 1, bytesUp: 3 },
    });
    analyseNetLog(netLog, { s3: [A, B], signers: [SIGNER] }, 'bench', () => 4, [r]);
    expect(r.s3Requests).toEqual({ total: 6, preflights: 2, detail: { POST: 1, OPTIONS: 2, PUT: 3 } });
    expect(r.s3Hosts).toEqual({
      [A]: { puts: 2, connections: 2, bytesUp: 7 },
      [B]: { puts: 1, connections: 1, bytesUp: 3 },
    });
    expect(r.timeline?.parts).toBe(3);
    // The slots are the run's own parts in flight: twice the slots, half the use of each.
    const wide = record();
    analyseNetLog(netLog, { s3: [A, B], signers: [SIGNER] }, 'bench', () => 8, [wide]);
    expect(wide.timeline?.slotUse).toBeCloseTo((r.timeline?.slotUse ?? 0) / 2, 5);
  });

  it('leaves s3Hosts out when the run sent nothing to S3', () => {
    const r = record();
    analyseNetLog(
      { requests: [], connectedTo: [], dnsTransactions: 0 },
      { s3: [A], signers: [] },
      'bench',
      () => 4,
      [r],
    );
    expect(r.s3Hosts).toBeUndefined();
  });
});
