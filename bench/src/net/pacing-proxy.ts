// A long-fat link between the browser and a server: a TCP proxy on 127.0.0.1 that gives every
// client connection its own paced link each way (rate, RTT/2 of delay each way). The kernel here
// has no netem, so this stands in for it. Connections from `unpacedFrom` (the signer's own S3
// calls, made from 127.0.0.2) go straight through: a backend sits next to S3, not across the link.
// With `pace: false` it is a plain TCP forwarder (a second S3 hostname on a link without pacing).
import { connect, createServer, type Socket } from 'node:net';
import { PacedLink } from './paced-link';

export interface PacingProxyOptions {
  target: { host: string; port: number };
  bytesPerSecond: number;
  rttMs: number;
  unpacedFrom?: string;
  /** false: pace no connection (default true). */
  pace?: boolean;
}

export interface ProxyStats {
  connections: number;
  pacedConnections: number;
  /** Bytes the paced links delivered so far, connections still open included. */
  bytesUp: number;
  bytesDown: number;
}

export interface PacingProxy {
  url: string;
  /** A snapshot of the counts so far. */
  stats(): ProxyStats;
  close(): Promise<void>;
}

export async function startPacingProxy(options: PacingProxyOptions): Promise<PacingProxy> {
  const { target, bytesPerSecond, rttMs, unpacedFrom, pace = true } = options;
  const oneWay = rttMs / 2;
  // A window of two bandwidth-delay products (at least 64 KiB) keeps the link busy, never more.
  const highWater = Math.max(64 * 1024, Math.ceil((2 * bytesPerSecond * rttMs) / 1000));
  const sockets = new Set<Socket>();
  const links = new Set<{ up: PacedLink; down: PacedLink }>();
  const stats = { connections: 0, pacedConnections: 0, bytesUp: 0, bytesDown: 0 };

  const server = createServer({ allowHalfOpen: true }, (client) => {
    stats.connections += 1;
    client.pause();
    const upstream = connect({ port: target.port, host: target.host, allowHalfOpen: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    const paced =
      pace && client.remoteAddress !== unpacedFrom && client.remoteAddress !== `::ffff:${unpacedFrom}`;
    upstream.once('connect', () => {
      if (!paced) {
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
        return;
      }
      stats.pacedConnections += 1;
      const up = new PacedLink(client, upstream, bytesPerSecond, oneWay, highWater);
      const down = new PacedLink(upstream, client, bytesPerSecond, oneWay, highWater);
      const link = { up, down };
      links.add(link);
      client.once('close', () => {
        stats.bytesUp += up.bytes;
        stats.bytesDown += down.bytes;
        up.stop();
        down.stop();
        links.delete(link);
      });
      client.resume();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('pacing proxy: no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    stats: () => {
      const now = { ...stats };
      for (const { up, down } of links) {
        now.bytesUp += up.bytes;
        now.bytesDown += down.bytes;
      }
      return now;
    },
    close: () => {
      for (const { up, down } of links) {
        up.stop();
        down.stop();
      }
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
