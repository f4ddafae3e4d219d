// Serves a test page and its bundle (built from TypeScript with esbuild) on 127.0.0.1, plus any
// fixture files a test hands it (same origin: the page can fetch them without CORS).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';

export interface PageServer {
  origin: string;
  /** Serves `bytes` at `path` (e.g. "/fixtures/a.bin") from now on. */
  serveFile(path: string, bytes: Uint8Array): void;
  close(): Promise<void>;
}

export async function servePage(entry: string, title = 'test page'): Promise<PageServer> {
  const bundle = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    write: false,
    target: 'es2022',
    platform: 'browser',
  });
  const js = bundle.outputFiles[0]?.text ?? '';
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><script type="module" src="/bundle.js"></script></body></html>`;
  const files = new Map<string, Uint8Array>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const file = files.get(path);
    if (req.url === '/bundle.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(js);
    } else if (file) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.byteLength });
      res.end(file);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(html);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    serveFile: (path, bytes) => {
      files.set(path, bytes);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
