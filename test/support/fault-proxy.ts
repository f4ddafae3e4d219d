// A fault-injecting TCP proxy for tests against a real S3 (Ceph RGW) and for browser tests.
//
// Clients connect to `proxy.url`; bytes go to the target unchanged unless the plan picks faults
// for a request. The proxy parses HTTP/1.1 request heads and counts Content-Length bodies, so
// keep-alive connections stay keep-alive (a browser's connection reuse is part of what we test)
// and every request on them can be faulted on its own. Responses are relayed as raw bytes.
// Limits: a request with `Transfer-Encoding: chunked` or an unparsable head switches its
// connection to plain forwarding (no more faults there); pipelined requests are not supported.
//
// Presigned URLs must be signed for the proxy's host:port (point the signer's S3 endpoint at
// `proxy.url`): SigV4 covers the Host header, and the proxy does not rewrite it.
import { createConnection, createServer, type Socket } from 'node:net';

export type Fault =
  /** Forward the head and `afterBodyBytes` of the body (default 0), then reset both connections. */
  | { kind: 'reset'; afterBodyBytes?: number }
  /** Do not forward; read the body, then answer 503 SlowDown (or `status`/`code`) with `Connection: close`. */
  | { kind: 'slowDown'; status?: number; code?: string; message?: string }
  /** Forward the head and `afterBodyBytes` (default 0), then stop moving bytes either way, holding the sockets open. */
  | { kind: 'stall'; afterBodyBytes?: number }
  /** Wait `ms` before forwarding the request (added latency). */
  | { kind: 'delay'; ms: number }
  /** Forward the request (head and body) at most at this rate. Responses are not throttled. */
  | { kind: 'rate'; bytesPerSecond: number }
  /** Flip every bit of one body byte (default the first; clamped to the last). */
  | { kind: 'corrupt'; atBodyByte?: number };

export type FaultKind = Fault['kind'];

export interface ProxiedRequest {
  /** 0-based over the proxy's lifetime. */
  index: number;
  /** 0-based index of the client connection, and of the request on it. */
  connection: number;
  indexOnConnection: number;
  method: string;
  /** The request target as sent, e.g. `/bucket/key?partNumber=3&uploadId=...`. */
  path: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  contentLength: number;
}

/** Picks the faults for one request; nothing means forward it untouched. */
export type FaultPlan = (request: ProxiedRequest) => Fault | readonly Fault[] | null | undefined;

export interface FaultProxyStats {
  connections: number;
  requests: number;
  /** Faults actually carried out, by kind. */
  faults: Record<FaultKind, number>;
  faultsInjected: number;
}

export interface FaultProxy {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly stats: FaultProxyStats;
  /** Every request seen, with the fault kinds the plan chose for it. */
  readonly log: readonly { request: ProxiedRequest; faults: FaultKind[] }[];
  setPlan(plan: FaultPlan): void;
  /** Stops listening and destroys every connection, stalled ones included. */
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  /** `http://host:port` or `{host, port}` of the server to forward to. */
  target: string | { host: string; port: number };
  plan?: FaultPlan;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = typeof options.target === 'string' ? parseTarget(options.target) : options.target;
  const stats: FaultProxyStats = {
    connections: 0,
    requests: 0,
    faults: { reset: 0, slowDown: 0, stall: 0, delay: 0, rate: 0, corrupt: 0 },
    faultsInjected: 0,
  };
  const log: { request: ProxiedRequest; faults: FaultKind[] }[] = [];
  const sockets = new Set<Socket>();
  const shared: Shared = {
    target,
    plan: options.plan ?? (() => undefined),
    stats,
    log,
    sockets,
    injected(kind) {
      stats.faults[kind]++;
      stats.faultsInjected++;
    },
  };
  const server = createServer((client) => {
    const connection = new Connection(client, stats.connections++, shared);
    void connection.run();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('fault proxy: no TCP address');
  return {
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    stats,
    log,
    setPlan(plan) {
      shared.plan = plan;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

interface Shared {
  target: { host: string; port: number };
  plan: FaultPlan;
  stats: FaultProxyStats;
  log: { request: ProxiedRequest; faults: FaultKind[] }[];
  sockets: Set<Socket>;
  injected(kind: FaultKind): void;
}

interface ActiveRequest {
  info: ProxiedRequest;
  faults: Fault[];
  /** Body bytes received so far. */
  offset: number;
  remaining: number;
  /** slowDown: swallow the request and answer ourselves. */
  swallow: boolean;
  /** Body offset at which to reset or stall, if any. */
  cutAt: number | undefined;
  corruptAt: number | undefined;
  rate: number | undefined;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD_BYTES = 64 * 1024;

class Connection {
  private upstream: Socket | undefined;
  private pending: Buffer = Buffer.alloc(0);
  private request: ActiveRequest | undefined;
  private requestsHere = 0;
  /** Set after an unparsable or chunked request: forward everything as is from then on. */
  private raw = false;
  /** Set by reset and stall: stop reading the client and hold the sockets until they close. */
  private stopped = false;
  /** Set by slowDown once it answered: read and drop whatever else the client sends. */
  private answered = false;
  private nextSendAt = 0;
  private readonly closed: Promise<void>;

  constructor(
    private readonly client: Socket,
    private readonly index: number,
    private readonly shared: Shared,
  ) {
    shared.sockets.add(client);
    this.closed = new Promise((resolve) => client.once('close', () => resolve()));
    client.once('close', () => {
      shared.sockets.delete(client);
      this.upstream?.destroy();
    });
    client.on('error', () => {});
  }

  async run(): Promise<void> {
    try {
      for await (const chunk of this.client) {
        await this.feed(chunk as Buffer);
        // Stop reading (so the client's sends back up) and hold the sockets until someone closes them.
        if (this.stopped) return await this.closed;
      }
      this.upstream?.end();
    } catch {
      this.client.destroy();
      this.upstream?.destroy();
    }
  }

  private async feed(chunk: Buffer): Promise<void> {
    if (this.answered) return;
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (!this.stopped && !this.answered) {
      if (this.raw) {
        if (data.length > 0) await this.forward(data, undefined);
        return;
      }
      if (!this.request) {
        const end = data.indexOf(HEAD_END);
        if (end < 0) {
          if (data.length <= MAX_HEAD_BYTES) {
            this.pending = data;
            return;
          }
          this.raw = true;
          continue;
        }
        const head = data.subarray(0, end + HEAD_END.length);
        data = data.subarray(end + HEAD_END.length);
        await this.begin(head);
        if (this.stopped || this.raw) continue;
      }
      const request = this.request as ActiveRequest;
      const take = Math.min(data.length, request.remaining);
      if (take > 0) await this.body(request, data.subarray(0, take));
      data = data.subarray(take);
      if (this.stopped || request.remaining > 0) return;
      await this.end(request);
      this.request = undefined;
    }
  }

  private async begin(head: Buffer): Promise<void> {
    const parsed = parseHead(head);
    const { stats, log } = this.shared;
    if (!parsed) {
      this.raw = true;
      await this.forward(head, undefined);
      return;
    }
    const info: ProxiedRequest = {
      index: stats.requests++,
      connection: this.index,
      indexOnConnection: this.requestsHere++,
      ...parsed,
    };
    const faults = normalise(this.shared.plan(info));
    log.push({ request: info, faults: faults.map((f) => f.kind) });
    if (parsed.headers['transfer-encoding']?.includes('chunked')) {
      this.raw = true;
      await this.forward(head, undefined);
      return;
    }
    const find = <K extends FaultKind>(kind: K) =>
      faults.find((f): f is Extract<Fault, { kind: K }> => f.kind === kind);
    const cut = find('reset') ?? find('stall');
    const corrupt = find('corrupt');
    const request: ActiveRequest = {
      info,
      faults,
      offset: 0,
      remaining: info.contentLength,
      swallow: find('slowDown') !== undefined,
      cutAt: cut && Math.min(cut.afterBodyBytes ?? 0, info.contentLength),
      corruptAt:
        corrupt && info.contentLength > 0
          ? Math.min(corrupt.atBodyByte ?? 0, info.contentLength - 1)
          : undefined,
      rate: find('rate')?.bytesPerSecond,
    };
    this.request = request;

    const delay = find('delay');
    if (delay) {
      this.shared.injected('delay');
      await sleep(delay.ms);
    }
    if (request.swallow) return;
    if (request.rate) this.shared.injected('rate');
    // The response to a request that will be cut must not reach the client.
    if (request.cutAt !== undefined) await this.holdResponses();
    await this.forward(head, request.rate);
    if (request.cutAt === 0) await this.cut(request);
  }

  private async body(request: ActiveRequest, data: Buffer): Promise<void> {
    const start = request.offset;
    request.offset += data.length;
    request.remaining -= data.length;
    if (request.swallow) return;
    let out = data;
    const { corruptAt, cutAt } = request;
    if (corruptAt !== undefined && corruptAt >= start && corruptAt < request.offset) {
      out = Buffer.from(data);
      out[corruptAt - start] = (out[corruptAt - start] ?? 0) ^ 0xff;
      this.shared.injected('corrupt');
    }
    if (cutAt !== undefined && cutAt > start && cutAt <= request.offset) {
      await this.forward(out.subarray(0, cutAt - start), request.rate);
      await this.cut(request);
      return;
    }
    await this.forward(out, request.rate);
  }

  private async end(request: ActiveRequest): Promise<void> {
    if (!request.swallow) return;
    const slowDown = request.faults.find((f) => f.kind === 'slowDown');
    if (slowDown?.kind !== 'slowDown') return;
    this.answered = true;
    this.shared.injected('slowDown');
    this.upstream?.destroy();
    this.client.end(errorResponse(slowDown, request.info.headers.origin));
  }

  /** Carries out the request's reset or stall. */
  private async cut(request: ActiveRequest): Promise<void> {
    this.stopped = true;
    if (request.faults.some((f) => f.kind === 'reset')) {
      this.shared.injected('reset');
      this.upstream?.destroy();
      this.client.resetAndDestroy();
    } else {
      this.shared.injected('stall');
    }
  }

  private async holdResponses(): Promise<void> {
    const upstream = await this.connectUpstream();
    upstream.unpipe(this.client);
    upstream.pause();
  }

  private async connectUpstream(): Promise<Socket> {
    if (this.upstream) return this.upstream;
    const upstream = createConnection(this.shared.target);
    this.upstream = upstream;
    this.shared.sockets.add(upstream);
    upstream.once('close', () => this.shared.sockets.delete(upstream));
    upstream.on('error', () => this.client.destroy());
    await new Promise<void>((resolve, reject) => {
      upstream.once('connect', resolve);
      upstream.once('error', reject);
    });
    upstream.pipe(this.client);
    return upstream;
  }

  /** Writes to the target, waiting for each write to flush; paces it when a rate is set. */
  private async forward(data: Buffer, rate: number | undefined): Promise<void> {
    const upstream = await this.connectUpstream();
    if (!rate) return write(upstream, data);
    const slice = Math.max(1, Math.floor(rate / 50));
    for (let i = 0; i < data.length; i += slice) {
      const part = data.subarray(i, i + slice);
      const wait = this.nextSendAt - Date.now();
      if (wait > 0) await sleep(wait);
      await write(upstream, part);
      this.nextSendAt = Math.max(this.nextSendAt, Date.now()) + (part.length / rate) * 1000;
    }
  }
}

function parseHead(
  head: Buffer,
): Pick<ProxiedRequest, 'method' | 'path' | 'headers' | 'contentLength'> | null {
  const [requestLine = '', ...lines] = head.toString('latin1').split('\r\n');
  const [method, path, version] = requestLine.split(' ');
  if (!method || !path || !version?.startsWith('HTTP/1.')) return null;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const contentLength = Number(headers['content-length'] ?? '0');
  if (!Number.isSafeInteger(contentLength) || contentLength < 0) return null;
  return { method, path, headers, contentLength };
}

function normalise(faults: Fault | readonly Fault[] | null | undefined): Fault[] {
  if (!faults) return [];
  return Array.isArray(faults) ? [...faults] : [faults as Fault];
}

/** An S3-style XML error, with CORS headers so a browser lets the page read it. */
function errorResponse(fault: Extract<Fault, { kind: 'slowDown' }>, origin: string | undefined): string {
  const status = fault.status ?? 503;
  const code = fault.code ?? 'SlowDown';
  const message = fault.message ?? 'Please reduce your request rate.';
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`;
  const cors = origin
    ? `Access-Control-Allow-Origin: ${origin}\r\nAccess-Control-Expose-Headers: ETag, x-amz-request-id\r\nVary: Origin\r\n`
    : '';
  return (
    `HTTP/1.1 ${status} ${status === 503 ? 'Slow Down' : 'Fault Injected'}\r\n` +
    'Content-Type: application/xml\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'x-amz-request-id: fault-proxy\r\n' +
    cors +
    'Connection: close\r\n\r\n' +
    body
  );
}

function write(socket: Socket, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed || socket.writableEnded) {
      reject(new Error('fault proxy: target connection closed'));
      return;
    }
    socket.write(data, (error) => (error ? reject(error) : resolve()));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function parseTarget(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
  return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port };
}
