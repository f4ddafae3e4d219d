// The bench's auxiliary signer on 127.0.0.1, for contenders that do not speak the reference
// signer's protocol: POST /presign (Uppy 6's signRequest) and GET /evaporate/sign (EvaporateJS).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { s3ClientFor } from '../s3/admin';
import type { S3Target } from '../s3/target';
import { RequestCounter } from './counter';
import { evaporateSignature } from './evaporate-signature';
import { parsePresignRequest, presign } from './presign';

export interface RunningAux {
  url: string;
  counter: RequestCounter;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += (chunk as Buffer).toString();
  return text;
}

export async function startAuxSigner(options: {
  target: S3Target;
  browserEndpoint: string;
  pageOrigin: string;
}): Promise<RunningAux> {
  const { target, pageOrigin } = options;
  const presigner = s3ClientFor({ ...target, endpoint: options.browserEndpoint });
  const counter = new RequestCounter();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    counter.record(req.method ?? '?', req.url ?? '/');
    res.setHeader('Access-Control-Allow-Origin', pageOrigin);
    res.setHeader('Cache-Control', 'no-store');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
      res.setHeader('Access-Control-Allow-Headers', 'content-type');
      res.setHeader('Access-Control-Max-Age', '600');
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/presign') {
      const request = parsePresignRequest(JSON.parse(await readBody(req)));
      const signed = await presign(presigner, target.bucket, request);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: signed }));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/evaporate/sign') {
      const signature = evaporateSignature({
        datetime: url.searchParams.get('datetime') ?? '',
        canonicalRequest: url.searchParams.get('canonical_request') ?? '',
        host: url.searchParams.get('host') ?? '',
        region: target.region,
        secretAccessKey: target.secretAccessKey,
      });
      res.writeHead(200, { 'content-type': 'text/plain' }).end(signature);
      return;
    }
    res.writeHead(404).end();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counter,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        presigner.destroy();
      }),
  };
}
