// esbuild bundles per contender: the page (harness + contender, what the browser runs) and the
// contender alone (what an app would ship), minified; its gzip -9 size is the "bundle" figure.
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build } from 'esbuild';
import { CONTENDERS, type ContenderId, pageName } from './contenders';

const PAGE_DIR = new URL('../page', import.meta.url).pathname;

export interface ContenderBundle {
  pageJs: string;
  /** Everything the contender ships (entry chunk plus chunks it loads lazily). */
  minifiedBytes: number;
  gzipBytes: number;
  /** The entry chunk alone: what loads before the first upload. */
  initialGzipBytes: number;
}

function options(id: ContenderId): BuildOptions {
  return {
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    legalComments: 'none',
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"' },
    alias: CONTENDERS[id].alias ?? {},
  };
}

async function bundleText(opts: BuildOptions): Promise<string> {
  const out = await build(opts);
  return out.outputFiles?.[0]?.text ?? '';
}

/**
 * `manyFiles`: the contender's many-files page (page/many/<id>.ts) instead of its one-file page;
 * `readable`: an unminified page, for CPU profiles with real function names.
 */
export async function buildBundle(
  id: ContenderId,
  { manyFiles = false, readable = false } = {},
): Promise<ContenderBundle> {
  const module = `${manyFiles ? 'many' : 'contenders'}/${id}`;
  const install = manyFiles ? 'installMany' : 'install';
  const pageJs = await bundleText({
    ...options(id),
    minify: !readable,
    stdin: {
      contents: `import run from './${module}';\nimport { ${install} } from './harness';\n${install}(run);\n`,
      resolveDir: PAGE_DIR,
      sourcefile: `${pageName(id, manyFiles)}-page.ts`,
      loader: 'ts',
    },
  });
  // With code splitting, as an app's bundler would: lazily imported code (the library's MD5
  // worker) lands in chunks of its own.
  const shipped = await build({
    ...options(id),
    entryPoints: [`${PAGE_DIR}/${module}.ts`],
    splitting: true,
    outdir: '/virtual',
  });
  const files = (shipped.outputFiles ?? []).filter((f) => f.path.endsWith('.js'));
  const gzip = (text: string) => gzipSync(text, { level: 9 }).length;
  const entry = files.find((f) => f.path.endsWith(`/${id}.js`));
  return {
    pageJs,
    minifiedBytes: files.reduce((sum, f) => sum + Buffer.byteLength(f.text), 0),
    gzipBytes: files.reduce((sum, f) => sum + gzip(f.text), 0),
    initialGzipBytes: entry ? gzip(entry.text) : 0,
  };
}
