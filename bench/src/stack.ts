// The servers one scenario needs between the browser and an S3 target: the reference signer, the
// bench's auxiliary signer and, for the long-fat link, a pacing proxy in front of each of them.
// A contender whose part URLs go to several S3 hostnames (CONTENDERS[id].s3Hosts) also gets further
// S3 hosts (the same kind of proxy to the same S3; on other links `localhost` for 127.0.0.1, then forwarders) and a
// reference signer of its own with `partEndpoints`, started only when the scenario runs it.
import type { Cleanup } from './cleanup';
import type { Link } from './config';
import { CONTENDERS, type ContenderId } from './contenders';
import { type PacingProxy, startPacingProxy } from './net/pacing-proxy';
import type { S3Target } from './s3/target';
import { type RunningAux, startAuxSigner } from './servers/aux';
import type { RequestCounter } from './servers/counter';
import { type RunningSigner, SIGNER_BASE_PATH, startReferenceSigner } from './servers/signer';

/** Source address of the signer's own S3 calls: the pacing proxy lets it through unpaced. */
const BACKEND_ADDRESS = '127.0.0.2';

/** A reference signer as the browser reaches it, and the S3 endpoints its part URLs go to. */
export interface SignerRoute {
  signerUrl: string;
  s3Endpoints: string[];
}

export interface Stack {
  /** S3 endpoint as the browser reaches it. */
  s3Endpoint: string;
  /** Every S3 endpoint the browser may be given (s3Endpoint first), for the NetLog. */
  s3Endpoints: string[];
  signerUrl: string;
  auxUrl: string;
  signer: RunningSigner;
  aux: RunningAux;
  /** Origins of every signer as the browser reaches them, for the NetLog. */
  signerOrigins: string[];
  /** Request counters of every signer: a contender's signer requests are their sum. */
  counters: RequestCounter[];
  /** The signer `id` uses, with the S3 endpoints of its part URLs. */
  routeFor(id: ContenderId): SignerRoute;
  /** The pacing proxy of each S3 endpoint, by origin (long-fat link only). */
  s3Proxies: Map<string, PacingProxy>;
  proxies: PacingProxy[];
  close(): Promise<void>;
}

function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}

/** `contenders`: those the scenario runs (further S3 hosts and their signers only if one needs them). */
export async function startStack(
  cleanup: Cleanup,
  target: S3Target,
  link: Link,
  pageOrigin: string,
  contenders: readonly ContenderId[] = [],
): Promise<Stack> {
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  const remove = cleanup.add(`servers for ${target.id}`, close);
  try {
    const proxied = link.kind === 'proxy';
    const proxies: PacingProxy[] = [];
    const s3Proxies = new Map<string, PacingProxy>();
    const startProxy = async (url: string, pace: boolean, unpacedFrom?: string) => {
      const proxy = await startPacingProxy({
        target: hostPort(url),
        bytesPerSecond: link.kind === 'proxy' ? link.bytesPerSecond : 0,
        rttMs: link.kind === 'proxy' ? link.rttMs : 0,
        pace,
        ...(unpacedFrom ? { unpacedFrom } : {}),
      });
      proxies.push(proxy);
      stops.push(() => proxy.close());
      return proxy;
    };
    const pace = async (url: string, unpacedFrom?: string) =>
      proxied ? (await startProxy(url, true, unpacedFrom)).url : url;
    // Unpaced, the first extra host is the same S3 as `localhost` (no forwarder costing CPU on
    // half the parts); further ones are forwarders.
    let aliasFree = !proxied && new URL(target.endpoint).hostname === '127.0.0.1';
    /** One more browser-facing S3 host: paced like the first on the long-fat link, else an alias or a forwarder. */
    const s3Host = async () => {
      if (aliasFree) {
        aliasFree = false;
        const alias = new URL(target.endpoint);
        alias.hostname = 'localhost';
        return alias.origin;
      }
      const proxy = await startProxy(target.endpoint, proxied, BACKEND_ADDRESS);
      if (proxied) s3Proxies.set(proxy.url, proxy);
      return proxy.url;
    };

    const s3Endpoint = proxied ? await s3Host() : target.endpoint;
    const startSigner = async (partEndpoints: string[]) => {
      const signer = await startReferenceSigner({
        target,
        browserEndpoint: s3Endpoint,
        pageOrigin,
        ...(proxied ? { localAddress: BACKEND_ADDRESS } : {}),
        ...(partEndpoints.length ? { partEndpoints } : {}),
      });
      stops.push(() => signer.close());
      return signer;
    };
    const signer = await startSigner([]);
    const aux = await startAuxSigner({ target, browserEndpoint: s3Endpoint, pageOrigin });
    stops.push(() => aux.close());
    const signerOrigin = await pace(new URL(signer.url).origin);
    const auxUrl = await pace(aux.url);
    const signerUrl = `${signerOrigin}${SIGNER_BASE_PATH}`;

    // Several S3 hosts: the first is s3Endpoint, the others new; one signer per number of hosts.
    const hostCounts = [...new Set(contenders.map((id) => CONTENDERS[id].s3Hosts ?? 1))].filter((n) => n > 1);
    const s3Endpoints = [s3Endpoint];
    while (s3Endpoints.length < Math.max(1, ...hostCounts)) s3Endpoints.push(await s3Host());
    const counters = [signer.counter, aux.counter];
    const signerOrigins = [signerOrigin, new URL(auxUrl).origin];
    const routes = new Map<number, SignerRoute>([[1, { signerUrl, s3Endpoints: [s3Endpoint] }]]);
    for (const n of hostCounts) {
      const hosts = s3Endpoints.slice(0, n);
      const multi = await startSigner(hosts.slice(1));
      const origin = await pace(new URL(multi.url).origin);
      counters.push(multi.counter);
      signerOrigins.push(origin);
      routes.set(n, { signerUrl: `${origin}${SIGNER_BASE_PATH}`, s3Endpoints: hosts });
    }
    return {
      s3Endpoint,
      s3Endpoints,
      signerUrl,
      auxUrl,
      signer,
      aux,
      signerOrigins,
      counters,
      routeFor: (id) => {
        const route = routes.get(CONTENDERS[id].s3Hosts ?? 1);
        if (!route) throw new Error(`${id}: no signer for its S3 hosts (not among the stack's contenders)`);
        return route;
      },
      s3Proxies,
      proxies,
      close: remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}
