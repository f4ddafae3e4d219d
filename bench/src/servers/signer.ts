// The repository's reference signer (server-reference/, programmatic API) with a request counter.
// Bench-only settings: a fixed owner through the `authenticate` hook, rate limits off.
import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSignerApp } from '../../../server-reference/app';
import type { SignerConfig } from '../../../server-reference/config';
import { s3ClientFor } from '../s3/admin';
import type { S3Target } from '../s3/target';
import { RequestCounter } from './counter';

export const SIGNER_BASE_PATH = '/api/uploads';

export interface RunningSigner {
  url: string;
  counter: RequestCounter;
  close(): Promise<void>;
}

export interface SignerOptions {
  target: S3Target;
  /** The S3 endpoint the browser uses (presigned URLs are signed for its host). */
  browserEndpoint: string;
  pageOrigin: string;
  /** Local address for the signer's own S3 calls (the long-fat proxy lets it through unpaced). */
  localAddress?: string;
  /** More browser-facing endpoints of the bucket: part N is signed for `[browserEndpoint, ...these][(N - 1) % k]`. */
  partEndpoints?: string[];
}

export async function startReferenceSigner(options: SignerOptions): Promise<RunningSigner> {
  const { target, browserEndpoint, pageOrigin, localAddress, partEndpoints } = options;
  const config: SignerConfig = {
    s3: {
      endpoint: browserEndpoint,
      region: target.region,
      bucket: target.bucket,
      accessKeyId: target.accessKeyId,
      secretAccessKey: target.secretAccessKey,
      forcePathStyle: true,
      ...(partEndpoints?.length ? { partEndpoints } : {}),
    },
    port: 0,
    host: '127.0.0.1',
    allowedOrigins: [pageOrigin],
    urlLifetimeSeconds: 3600,
    basePath: SIGNER_BASE_PATH,
    rateLimit: { perIp: 0, perOwner: 0 },
  };
  const agent = localAddress ? new Agent({ keepAlive: true, localAddress }) : undefined;
  const s3Client = s3ClientFor(
    { ...target, endpoint: browserEndpoint },
    { maxAttempts: 3, ...(agent ? { requestHandler: { httpAgent: agent } } : {}) },
  );
  const app = buildSignerApp(config, { authenticate: () => 'bench', s3Client });
  const counter = new RequestCounter();
  app.addHook('onRequest', async (request) => {
    counter.record(request.method, request.url);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${SIGNER_BASE_PATH}`,
    counter,
    close: async () => {
      await app.close();
      s3Client.destroy();
      agent?.destroy();
    },
  };
}
