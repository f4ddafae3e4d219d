// The servers one scenario needs between the browser and an S3 target: the reference signer, the
// bench's auxiliary signer and, for the long-fat link, a pacing proxy in front of each of them.
import type { Cleanup } from './cleanup';
import type { Link } from './config';
import { type PacingProxy, startPacingProxy } from './net/pacing-proxy';
import type { S3Target } from './s3/target';
import { type RunningAux, startAuxSigner } from './servers/aux';
import { type RunningSigner, SIGNER_BASE_PATH, startReferenceSigner } from './servers/signer';

/** Source address of the signer's own S3 calls: the pacing proxy lets it through unpaced. */
const BACKEND_ADDRESS = '127.0.0.2';

export interface Stack {
  /** S3 endpoint as the browser reaches it. */
  s3Endpoint: string;
  signerUrl: string;
  auxUrl: string;
  signer: RunningSigner;
  aux: RunningAux;
  proxies: PacingProxy[];
  close(): Promise<void>;
}

function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}

export async function startStack(
  cleanup: Cleanup,
  target: S3Target,
  link: Link,
  pageOrigin: string,
): Promise<Stack> {
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  const remove = cleanup.add(`servers for ${target.id}`, close);
  try {
    const proxied = link.kind === 'proxy';
    const proxies: PacingProxy[] = [];
    const pace = async (url: string, unpacedFrom?: string) => {
      if (link.kind !== 'proxy') return url;
      const proxy = await startPacingProxy({
        target: hostPort(url),
        bytesPerSecond: link.bytesPerSecond,
        rttMs: link.rttMs,
        ...(unpacedFrom ? { unpacedFrom } : {}),
      });
      proxies.push(proxy);
      stops.push(() => proxy.close());
      return proxy.url;
    };
    const s3Endpoint = await pace(target.endpoint, BACKEND_ADDRESS);
    const signer = await startReferenceSigner({
      target,
      browserEndpoint: s3Endpoint,
      pageOrigin,
      ...(proxied ? { localAddress: BACKEND_ADDRESS } : {}),
    });
    stops.push(() => signer.close());
    const aux = await startAuxSigner({ target, browserEndpoint: s3Endpoint, pageOrigin });
    stops.push(() => aux.close());
    const signerOrigin = await pace(new URL(signer.url).origin);
    const auxUrl = await pace(aux.url);
    return {
      s3Endpoint,
      signerUrl: `${signerOrigin}${SIGNER_BASE_PATH}`,
      auxUrl,
      signer,
      aux,
      proxies,
      close: remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}
