// Requests as Chromium's network service saw them (--log-net-log), CORS preflights included.
// Counting here instead of with CDP Network events keeps DevTools instrumentation out of the
// renderer: with the Network domain on, Chromium serialises ArrayBuffer request bodies for the
// inspector on the main thread, which slowed and inflated the long tasks of the contenders that
// send copies (lib-storage, EvaporateJS).
import { readFile } from 'node:fs/promises';
import type { Requests } from '../results';

export interface LoggedRequest {
  method: string;
  url: string;
  /** Epoch ms: the request started (URL_REQUEST_START_JOB) and was done with (REQUEST_ALIVE ended). */
  start: number;
  end: number;
}

interface NetLogFile {
  constants: { logEventTypes: Record<string, number>; timeTickOffset: string };
  events: {
    type: number;
    phase: number;
    time: string;
    source: { id: number };
    params?: { method?: string; url?: string; address?: string };
  }[];
}

export interface NetLog {
  requests: LoggedRequest[];
  /** Addresses Chromium opened TCP connections to. */
  connectedTo: string[];
  /** DNS transactions (none expected: --host-resolver-rules resolves only 127.0.0.1). */
  dnsTransactions: number;
}

const PHASE_BEGIN = 1;
const PHASE_END = 2;

/**
 * The NetLog's JSON. A Chromium that had to be killed (a stuck run) leaves it without its closing
 * `]}`: closed here as Chromium's own netlog viewer does. Null when even that does not parse.
 */
export function parseNetLog(text: string): NetLogFile | null {
  try {
    return JSON.parse(text) as NetLogFile;
  } catch {
    try {
      return JSON.parse(`${text.trimEnd().replace(/,$/, '')}]}`) as NetLogFile;
    } catch {
      return null;
    }
  }
}

/** Every URL request started (one per request and per preflight; redirects excluded), and where Chromium connected. */
export async function readNetLog(path: string): Promise<NetLog> {
  const log = parseNetLog(await readFile(path, 'utf8'));
  if (!log) return { requests: [], connectedTo: [], dnsTransactions: 0 };
  const types = log.constants.logEventTypes;
  const { URL_REQUEST_START_JOB: startJob, REQUEST_ALIVE: alive } = types;
  const connected = new Set<string>();
  let dnsTransactions = 0;
  const offset = Number(log.constants.timeTickOffset);
  const bySource = new Map<number, LoggedRequest>();
  const requests: LoggedRequest[] = [];
  for (const event of log.events) {
    const time = Number(event.time) + offset;
    if (event.type === startJob && event.phase === PHASE_BEGIN) {
      const { method, url } = event.params ?? {};
      if (!method || !url || bySource.has(event.source.id)) continue;
      const request = { method, url, start: time, end: time };
      bySource.set(event.source.id, request);
      requests.push(request);
    } else if (event.type === alive && event.phase === PHASE_END) {
      const request = bySource.get(event.source.id);
      if (request) request.end = time;
    } else if (
      event.type === types.TCP_CONNECT_ATTEMPT &&
      event.phase === PHASE_BEGIN &&
      event.params?.address
    ) {
      connected.add(event.params.address);
    } else if (event.type === types.DNS_TRANSACTION && event.phase === PHASE_BEGIN) {
      dnsTransactions += 1;
    }
  }
  return { requests, connectedTo: [...connected], dnsTransactions };
}

/** Requests to `origin` for the object `/<bucket>/<key>` (the object's URL, any query). */
export function objectRequests(
  all: readonly LoggedRequest[],
  origin: string,
  bucket: string,
  key: string,
): LoggedRequest[] {
  const path = `/${bucket}/${key}`;
  return all.filter((r) => {
    try {
      const url = new URL(r.url);
      return url.origin === origin && safeDecode(url.pathname) === path;
    } catch {
      return false;
    }
  });
}

/** Requests to `origin` that started within [start, end] (epoch ms). */
export function originRequests(
  all: readonly LoggedRequest[],
  origin: string,
  start: number,
  end: number,
): LoggedRequest[] {
  return all.filter((r) => r.start >= start && r.start <= end && r.url.startsWith(`${origin}/`));
}

export function countRequests(requests: readonly LoggedRequest[]): Requests {
  const detail: Record<string, number> = {};
  let total = 0;
  let preflights = 0;
  for (const r of requests) {
    total += 1;
    if (r.method === 'OPTIONS') preflights += 1;
    detail[r.method] = (detail[r.method] ?? 0) + 1;
  }
  return { total, preflights, detail };
}

/** Connections or DNS queries that would have left loopback (there must be none). */
export function offLoopback(log: NetLog): string[] {
  const outside = log.connectedTo.filter((a) => !/^(127\.\d+\.\d+\.\d+|\[::1\]):\d+$/.test(a));
  return log.dnsTransactions > 0 ? [...outside, `${log.dnsTransactions} DNS transactions`] : outside;
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
