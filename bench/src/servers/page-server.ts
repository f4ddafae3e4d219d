// Serves one page per contender on 127.0.0.1: /<id>.html loads /<id>.js (its bundle).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PageServer {
  origin: string;
  close(): Promise<void>;
}

export async function servePages(bundles: ReadonlyMap<string, string>): Promise<PageServer> {
  const server = createServer((req, res) => {
    const match = /^\/([\w-]+)\.(html|js)$/.exec(req.url ?? '');
    const id = match?.[1];
    const js = id ? bundles.get(id) : undefined;
    if (!match || !id || js === undefined) {
      res.writeHead(404).end();
    } else if (match[2] === 'js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    } else {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          `<!doctype html><html><head><meta charset="utf-8"><title>${id}</title></head>` +
            `<body><script type="module" src="/${id}.js"></script></body></html>`,
        );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
