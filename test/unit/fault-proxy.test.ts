import { randomBytes } from 'node:crypto';
import { Agent, createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFetchTransport } from '../../src/engine/transport-fetch';
import { type FaultPlan, type FaultProxy, startFaultProxy } from '../support/fault-proxy';

interface Seen {
  path: string;
  bytes: number;
  complete: boolean;
  socket: Socket;
}

// An upload server that echoes every request body back, and records what arrived.
let target: Server;
let targetUrl: string;
const seen: Seen[] = [];
let proxy: FaultProxy;
const agents: Agent[] = [];

beforeAll(async () => {
  target = createServer((req, res) => {
    const entry: Seen = { path: req.url ?? '', bytes: 0, complete: false, socket: req.socket };
    seen.push(entry);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      entry.bytes += chunk.length;
      chunks.push(chunk);
    });
    req.on('end', () => {
      entry.complete = true;
      res.writeHead(200, { etag: '"echo"' });
      res.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const agent of agents.splice(0)) agent.destroy();
  await proxy?.close();
  seen.length = 0;
});

afterAll(async () => {
  target.closeAllConnections();
  await new Promise((resolve) => target.close(resolve));
});

async function start(plan?: FaultPlan): Promise<FaultProxy> {
  proxy = await startFaultProxy({ target: targetUrl, plan });
  return proxy;
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A PUT through the proxy; one keep-alive agent per test unless given. */
function put(path: string, body: Buffer, options: { agent?: Agent; headers?: Record<string, string> } = {}) {
  let req: ReturnType<typeof request> | undefined;
  const reply = new Promise<Reply>((resolve, reject) => {
    req = request(
      `${proxy.url}${path}`,
      {
        method: 'PUT',
        agent: options.agent ?? false,
        headers: { 'content-length': body.length, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  return { reply, abort: () => req?.destroy() };
}

function keepAliveAgent(): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  agents.push(agent);
  return agent;
}

async function until(condition: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('fault proxy', () => {
  it('forwards untouched, keeping keep-alive connections and counting requests', async () => {
    await start();
    const agent = keepAliveAgent();
    for (let i = 0; i < 3; i++) {
      const body = randomBytes(100_000 + i);
      const reply = await put(`/bucket/key?partNumber=${i + 1}`, body, { agent }).reply;
      expect(reply.status).toBe(200);
      expect(reply.body.equals(body)).toBe(true);
    }
    expect(proxy.stats).toMatchObject({ connections: 1, requests: 3, faultsInjected: 0 });
    expect(new Set(seen.map((s) => s.socket)).size).toBe(1);
    expect(proxy.log.map((l) => [l.request.index, l.request.indexOnConnection, l.request.method])).toEqual([
      [0, 0, 'PUT'],
      [1, 1, 'PUT'],
      [2, 2, 'PUT'],
    ]);
    expect(proxy.log[1]?.request).toMatchObject({ path: '/bucket/key?partNumber=2', contentLength: 100_001 });
  });

  it('answers 503 SlowDown with Connection: close instead of forwarding, for the requests the plan picks', async () => {
    await start((r) => (/partNumber=2(&|$)/.test(r.path) ? { kind: 'slowDown' } : undefined));
    const agent = keepAliveAgent();
    const body = randomBytes(50_000);
    const first = await put('/k?partNumber=1', body, { agent }).reply;
    const second = await put('/k?partNumber=2', body, { agent, headers: { origin: 'http://app.test' } })
      .reply;
    const third = await put('/k?partNumber=3', body, { agent }).reply;
    expect([first.status, second.status, third.status]).toEqual([200, 503, 200]);
    expect(second.headers.connection).toBe('close');
    expect(second.headers['access-control-allow-origin']).toBe('http://app.test');
    expect(second.body.toString()).toContain('<Code>SlowDown</Code>');
    expect(seen.map((s) => s.path)).toEqual(['/k?partNumber=1', '/k?partNumber=3']);
    expect(proxy.stats).toMatchObject({ connections: 2, requests: 3, faultsInjected: 1 });
    expect(proxy.stats.faults.slowDown).toBe(1);
  });

  it('can answer another status and code', async () => {
    await start(() => ({ kind: 'slowDown', status: 500, code: 'InternalError', message: 'boom' }));
    const reply = await put('/k', Buffer.from('x')).reply;
    expect(reply.status).toBe(500);
    expect(reply.body.toString()).toContain('<Code>InternalError</Code><Message>boom</Message>');
  });

  it('resets the connection after N body bytes', async () => {
    await start((r) => (r.index === 1 ? { kind: 'reset', afterBodyBytes: 123_456 } : undefined));
    const agent = keepAliveAgent();
    expect((await put('/ok', randomBytes(10), { agent }).reply).status).toBe(200);
    await expect(put('/cut', randomBytes(1_000_000), { agent }).reply).rejects.toMatchObject({
      code: 'ECONNRESET',
    });
    await until(() => seen[1]?.socket.destroyed === true);
    expect(seen[1]).toMatchObject({ path: '/cut', bytes: 123_456, complete: false });
    expect(proxy.stats.faults.reset).toBe(1);
  });

  it('resets before any body byte by default', async () => {
    await start(() => ({ kind: 'reset' }));
    await expect(put('/cut', randomBytes(1000)).reply).rejects.toMatchObject({ code: 'ECONNRESET' });
    await until(() => seen[0]?.socket.destroyed === true);
    expect(seen[0]).toMatchObject({ bytes: 0, complete: false });
  });

  it('stalls mid-body: stops forwarding and holds the sockets open', async () => {
    await start(() => ({ kind: 'stall', afterBodyBytes: 100_000 }));
    const { reply, abort } = put('/stalled', randomBytes(4_000_000));
    let settled = false;
    reply.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    await until(() => seen[0]?.bytes === 100_000);
    await sleep(300);
    expect(settled).toBe(false);
    expect(seen[0]).toMatchObject({ bytes: 100_000, complete: false });
    expect(seen[0]?.socket.destroyed).toBe(false);
    expect(proxy.stats.faults.stall).toBe(1);
    abort();
    await reply.catch(() => undefined);
  });

  it('stalls after the whole body: the target answered but the client never hears back', async () => {
    await start(() => ({ kind: 'stall', afterBodyBytes: Number.POSITIVE_INFINITY }));
    const { reply, abort } = put('/answered', randomBytes(10_000));
    await until(() => seen[0]?.complete === true);
    const outcome = await Promise.race([reply.then(() => 'answered'), sleep(300).then(() => 'silent')]);
    expect(outcome).toBe('silent');
    abort();
    await reply.catch(() => undefined);
  });

  it('close() ends stalled connections too', async () => {
    await start(() => ({ kind: 'stall' }));
    const { reply } = put('/stalled', randomBytes(1000));
    await until(() => proxy.stats.faults.stall === 1);
    await proxy.close();
    await expect(reply).rejects.toBeInstanceOf(Error);
  });

  it('delays forwarding by the given time', async () => {
    await start(() => ({ kind: 'delay', ms: 250 }));
    const body = randomBytes(1000);
    const started = Date.now();
    const reply = await put('/slow', body).reply;
    expect(Date.now() - started).toBeGreaterThanOrEqual(245);
    expect(reply.body.equals(body)).toBe(true);
    expect(proxy.stats.faults.delay).toBe(1);
  });

  it('limits the request rate', async () => {
    await start(() => ({ kind: 'rate', bytesPerSecond: 1_000_000 }));
    const body = randomBytes(400_000);
    const started = Date.now();
    const reply = await put('/paced', body).reply;
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(2000);
    expect(reply.body.equals(body)).toBe(true);
    expect(proxy.stats.faults.rate).toBe(1);
  });

  it('flips exactly one body byte', async () => {
    await start(() => ({ kind: 'corrupt', atBodyByte: 70_000 }));
    const body = randomBytes(200_000);
    const reply = await put('/flip', body).reply;
    expect(reply.body.length).toBe(body.length);
    const differing = [...body.keys()].filter((i) => body[i] !== reply.body[i]);
    expect(differing).toEqual([70_000]);
    expect(reply.body[70_000]).toBe((body[70_000] ?? 0) ^ 0xff);
    expect(proxy.stats.faults.corrupt).toBe(1);
  });

  it('applies faults per request on a keep-alive connection, and the plan can change', async () => {
    await start((r) => (r.indexOnConnection === 1 ? { kind: 'corrupt' } : undefined));
    const agent = keepAliveAgent();
    const body = randomBytes(1000);
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await put(`/r${i}`, body, { agent }).reply);
    expect(replies.map((r) => r.body.equals(body))).toEqual([true, false, true]);
    proxy.setPlan(() => undefined);
    expect((await put('/r3', body, { agent }).reply).body.equals(body)).toBe(true);
    expect(proxy.stats).toMatchObject({ connections: 1, requests: 4, faultsInjected: 1 });
  });

  it("works with the engine's fetch transport: faults become statuses and network failures", async () => {
    await start(
      (r) =>
        [undefined, { kind: 'slowDown' } as const, { kind: 'reset', afterBodyBytes: 1000 } as const][r.index],
    );
    const transport = createFetchTransport();
    const send = (body: Blob) =>
      transport({
        url: `${proxy.url}/k`,
        method: 'PUT',
        headers: {},
        body,
        signal: new AbortController().signal,
      });
    const body = new Blob([randomBytes(300_000)]);
    expect((await send(body)).status).toBe(200);
    expect((await send(body)).status).toBe(503);
    await expect(send(body)).rejects.toMatchObject({ name: 'TransportFailure', kind: 'network' });
    expect((await send(body)).status).toBe(200);
    expect(proxy.stats.faultsInjected).toBe(2);
  });
});
