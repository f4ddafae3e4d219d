// Size budgets (issue #7), checked as sizes, not timings. After `npm run build`, bundles three
// tiny consumer apps against dist/ the way an app's bundler would (esbuild: minified,
// tree-shaken, ESM, browser, code splitting; React and React Query external), gzips each file
// (-9, as bench/ does) and fails when a bundle outgrows its budget in size-budgets.json or pulls
// in code it must not (the hook without components or React Query). Byte attribution goes
// through dist's source maps back to src/, so a failure names the files that weigh the most.
//   tsx scripts/size-check.ts                  check
//   tsx scripts/size-check.ts --write-budgets  set every budget to the measured size + 10 %
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUDGETS_FILE = join(ROOT, 'size-budgets.json');
/** Never written (write: false); only names the output so source paths resolve. */
const OUT_DIR = join(ROOT, '.tmp/size-check');
const PEERS = ['react', 'react-dom', 'react/jsx-runtime', '@tanstack/react-query'];
const HEADROOM = 1.1;
const KiB = 1024;
const APP_FILE = 'app.js';

/** A tiny app that imports one thing from the package, as a user's would. */
interface Consumer {
  id: string;
  label: string;
  code: string;
  /** Source path fragments (repository-relative) that must add no byte to its bundle. */
  forbidden: string[];
}

export const CONSUMERS: Consumer[] = [
  {
    id: 'engine',
    label: 'engine: Upload + HTTP signer + XHR transport',
    code: "export { Upload, createHttpSigner, createXhrTransport } from 's3-multipart-uploader/engine';",
    forbidden: ['src/hooks/', 'src/components/', 'node_modules/dexie/', 'node_modules/@tanstack/'],
  },
  {
    id: 'engine+hook',
    label: 'engine + hook: useMultipartUpload',
    code: "export { useMultipartUpload } from 's3-multipart-uploader';",
    forbidden: ['src/components/', 'node_modules/@tanstack/'],
  },
  {
    id: 'uploader',
    label: '<S3Uploader/>',
    code: "export { S3Uploader } from 's3-multipart-uploader';",
    forbidden: ['node_modules/@tanstack/'],
  },
];

/** The engine's lazily loaded chunks, by the module they start from. */
const LAZY_LABELS: Record<string, string> = {
  'lazy:md5-worker-source.generated': 'MD5 worker, lazy: the first upload with integrity on',
  'lazy:md5': 'MD5 on the main thread, lazy: only where Worker is missing',
  'lazy:store.js': 'resume store + Dexie, lazy: the first resumable upload or list',
};

export interface FileSize {
  raw: number;
  gzip: number;
}

/** Files that load together: the entry (with the chunks it imports statically) or one lazy import. */
export interface ChunkGroup extends FileSize {
  name: string;
  /** Minified characters per source file (repository-relative), through dist's source maps. */
  bySource: Map<string, number>;
}

export interface ConsumerBundle {
  initial: ChunkGroup;
  lazy: ChunkGroup[];
  /** Bare imports left in the output (the peers that stayed external). */
  externalImports: string[];
  inputs: string[];
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** One source map segment's fields (base64 VLQ, relative values). */
export function decodeSegment(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    if (digit < 0) throw new Error(`Invalid base64 VLQ character "${char}" in a source map`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value % 2 === 1 ? -(value - 1) / 2 : value / 2);
    value = 0;
    shift = 0;
  }
  return values;
}

/**
 * How many generated characters each source produced: a segment owns the text up to the next
 * segment of its line. Unmapped text (esbuild's glue) counts under "(unmapped)".
 */
export function charsBySource(code: string, map: { sources: string[]; mappings: string }, mapDir: string) {
  const sources = map.sources.map((source) => relative(ROOT, resolve(mapDir, source)));
  const totals = new Map<string, number>();
  const add = (name: string, chars: number) => totals.set(name, (totals.get(name) ?? 0) + chars);
  const lines = code.split('\n');
  let sourceIndex = 0;
  map.mappings.split(';').forEach((line, lineNumber) => {
    const lineLength = lines[lineNumber]?.length ?? 0;
    let column = 0;
    const owners: { column: number; source: string }[] = [{ column: 0, source: '(unmapped)' }];
    for (const segment of line ? line.split(',') : []) {
      const fields = decodeSegment(segment);
      column += fields[0] ?? 0;
      if (fields.length >= 4) sourceIndex += fields[1] ?? 0;
      owners.push({
        column,
        source: fields.length >= 4 ? (sources[sourceIndex] ?? '(unknown)') : '(unmapped)',
      });
    }
    owners.forEach((owner, i) => {
      add(owner.source, (owners[i + 1]?.column ?? lineLength) - owner.column);
    });
  });
  return totals;
}

function gzipSize(text: string): number {
  return gzipSync(text, { level: 9 }).length;
}

/** The output files reachable from `start` through static imports. */
function staticClosure(start: string, outputs: Metafile['outputs']): string[] {
  const seen = new Set<string>([start]);
  for (const file of seen) {
    for (const imported of outputs[file]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) seen.add(imported.path);
    }
  }
  return [...seen];
}

/** Bundles one consumer app; `bundleDexie: false` leaves Dexie external, as the aim counts. */
export async function bundleConsumer(code: string, bundleDexie: boolean): Promise<ConsumerBundle> {
  const result = await build({
    stdin: { contents: code, resolveDir: ROOT, sourcefile: APP_FILE, loader: 'js' },
    bundle: true,
    minify: true,
    treeShaking: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: OUT_DIR,
    write: false,
    metafile: true,
    sourcemap: 'external',
    legalComments: 'none',
    external: bundleDexie ? PEERS : [...PEERS, 'dexie'],
    define: { 'process.env.NODE_ENV': '"production"' },
    // tsup's output keeps `import './chunk.js'` lines that sideEffects: false lets esbuild drop.
    logOverride: { 'ignored-bare-import': 'silent' },
    logLevel: 'error',
  });
  const { outputs } = result.metafile;
  const texts = new Map(result.outputFiles.map((file) => [relative(ROOT, file.path), file.text]));
  const group = (name: string, files: string[]): ChunkGroup => {
    const bySource = new Map<string, number>();
    let raw = 0;
    let gzip = 0;
    for (const file of files) {
      const text = texts.get(file) ?? '';
      raw += Buffer.byteLength(text);
      gzip += gzipSize(text);
      const map = JSON.parse(texts.get(`${file}.map`) ?? '{"sources":[],"mappings":""}');
      for (const [source, chars] of charsBySource(text, map, dirname(join(ROOT, file)))) {
        bySource.set(source, (bySource.get(source) ?? 0) + chars);
      }
    }
    return { name, raw, gzip, bySource };
  };
  const entry = Object.keys(outputs).find((file) => outputs[file]?.entryPoint === APP_FILE);
  if (!entry) throw new Error('esbuild produced no entry chunk for the consumer app');
  const initialFiles = staticClosure(entry, outputs);
  const lazyStarts = initialFiles.flatMap((file) =>
    (outputs[file]?.imports ?? []).filter((i) => i.kind === 'dynamic-import').map((i) => i.path),
  );
  const lazy = [...new Set(lazyStarts)].map((start) => {
    const name = (outputs[start]?.entryPoint ?? start).replace(/^.*\//, '').replace(/-[A-Z0-9]{8}\.js$/, '');
    return group(
      `lazy:${name}`,
      staticClosure(start, outputs).filter((f) => !initialFiles.includes(f)),
    );
  });
  const externalImports = Object.values(outputs).flatMap((o) =>
    o.imports.filter((i) => i.external).map((i) => i.path),
  );
  return {
    initial: group('initial', initialFiles),
    lazy,
    externalImports: [...new Set(externalImports)],
    inputs: Object.keys(result.metafile.inputs),
  };
}

/** Why a bundle holds code it must not, or why that cannot be told. */
export function leaks(consumer: Pick<Consumer, 'label' | 'forbidden'>, bundle: ConsumerBundle): string[] {
  const problems: string[] = [];
  const sources = [...bundle.initial.bySource.keys(), ...bundle.lazy.flatMap((g) => [...g.bySource.keys()])];
  if (!sources.some((source) => source.startsWith('src/'))) {
    problems.push(
      `${consumer.label}: no byte maps back to src/ — dist/ was built without source maps, so tree-shaking cannot be checked. Keep \`sourcemap: true\` in tsup.config.ts and run \`npm run build\`.`,
    );
  }
  for (const fragment of consumer.forbidden) {
    const hits = [...sources, ...bundle.inputs].filter((path) => path.includes(fragment));
    const peer = fragment.startsWith('node_modules/')
      ? bundle.externalImports.filter((path) => `node_modules/${path}/`.startsWith(fragment))
      : [];
    if (hits.length > 0 || peer.length > 0) {
      problems.push(
        `${consumer.label} must not contain ${fragment} but does: ${[...new Set([...hits, ...peer])].slice(0, 5).join(', ')}. Something it imports references that code at module level: import that code lazily or move it behind its own entry.`,
      );
    }
  }
  return problems;
}

export interface Figure extends FileSize {
  id: string;
  label: string;
  bySource: Map<string, number>;
}

export interface Budgets {
  comment?: string;
  /** gzip KiB per figure id. */
  budgets: Record<string, number>;
  /** Goals (gzip KiB) reported but not enforced. */
  aims?: Record<string, number>;
}

const kib = (bytes: number) => (bytes / KiB).toFixed(1);

/** Budget failures, with what to do about each. */
export function overBudget(figures: Figure[], budgets: Budgets): string[] {
  const problems: string[] = [];
  for (const figure of figures) {
    const limit = budgets.budgets[figure.id];
    if (limit === undefined) {
      problems.push(
        `${figure.label} (${figure.id}) has no budget: add "${figure.id}": ${budgetFor(figure.gzip)} (measured + 10 %) to size-budgets.json.`,
      );
    } else if (figure.gzip > limit * KiB) {
      problems.push(
        `${figure.label} is ${kib(figure.gzip)} KiB gzip, over its ${limit} KiB budget by ${kib(figure.gzip - limit * KiB)} KiB. Make it smaller (heaviest sources listed above), or, if the growth is intended, raise "${figure.id}" in size-budgets.json in the same change and say why.`,
      );
    }
  }
  return problems;
}

/** Measured gzip bytes + 10 %, in KiB rounded up to 0.1. */
export function budgetFor(gzipBytes: number): number {
  const tenths = (gzipBytes * HEADROOM * 10) / KiB;
  return Math.ceil(Math.round(tenths * 1e6) / 1e6) / 10; // no float noise: 1.1 KiB stays 1.1
}

/** A dependency counts as one line: node_modules/<package> (scoped names kept). */
function owner(source: string): string {
  const match = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  return match ? `node_modules/${match[1]}` : source;
}

function heaviest(bySource: Map<string, number>, count: number): string {
  const byOwner = new Map<string, number>();
  for (const [source, chars] of bySource)
    byOwner.set(owner(source), (byOwner.get(owner(source)) ?? 0) + chars);
  const total = [...byOwner.values()].reduce((sum, chars) => sum + chars, 0);
  return [...byOwner]
    .filter(([, chars]) => chars > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(
      ([source, chars]) =>
        `    ${String(chars).padStart(7)}  ${((chars / total) * 100).toFixed(1).padStart(5)} %  ${source}`,
    )
    .join('\n');
}

function table(figures: Figure[], budgets: Budgets): string {
  const header = ['bundle', 'raw bytes', 'gzip bytes', 'gzip KiB', 'budget KiB', ''];
  const rows = figures.map((f) => {
    const limit = budgets.budgets[f.id];
    const aim = budgets.aims?.[f.id];
    const status = limit === undefined ? 'NO BUDGET' : f.gzip > limit * KiB ? 'OVER' : 'ok';
    const aimNote =
      aim !== undefined && f.gzip > aim * KiB ? ` (aim ${aim} KiB: ${kib(f.gzip - aim * KiB)} over)` : '';
    return [f.label, String(f.raw), String(f.gzip), kib(f.gzip), String(limit ?? '–'), status + aimNote];
  });
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i]?.length ?? 0)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === 0 || i === 5 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  return [line(header), ...rows.map(line)].join('\n').replace(/ +$/gm, '');
}

async function measure(): Promise<{ figures: Figure[]; problems: string[]; dexieNote: string }> {
  const figures: Figure[] = [];
  const problems: string[] = [];
  let dexieNote = '';
  for (const consumer of CONSUMERS) {
    // What an app ships: Dexie bundled in; it must sit in a lazy chunk, never up front.
    const bundle = await bundleConsumer(consumer.code, true);
    problems.push(...leaks(consumer, bundle));
    if ([...bundle.initial.bySource.keys()].some((source) => source.includes('node_modules/dexie/'))) {
      problems.push(
        `${consumer.label}: Dexie is in the initial bundle. The default resume store must load it lazily (src/engine/store/lazy-default-store.ts): find the static import of src/engine/store/ that pulls it in.`,
      );
    }
    figures.push({ id: consumer.id, label: `${consumer.label}, initial`, ...bundle.initial });
    // Each lazy chunk once (the first consumer that loads it): a new one fails until budgeted.
    for (const group of bundle.lazy) {
      if (figures.some((f) => f.id === group.name)) continue;
      if ([...group.bySource.keys()].some((source) => source.includes('node_modules/dexie/'))) {
        dexieNote ||= `Dexie loads lazily, with the default resume store's first use: ${kib(group.gzip)} KiB gzip (${group.name}).`;
      }
      figures.push({
        ...group,
        id: group.name,
        label: LAZY_LABELS[group.name] ?? `${group.name} (lazy chunk)`,
      });
    }
  }
  return { figures, problems, dexieNote };
}

/** Library sources changed after dist/ was built (tests and stories excluded). */
function newerSources(builtAt: number): string[] {
  return readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file) && !/\.test\.tsx?$/.test(file))
    .filter((file) => statSync(join(ROOT, 'src', file)).mtimeMs > builtAt)
    .map((file) => `src/${file}`);
}

async function main(): Promise<void> {
  for (const file of ['dist/index.js', 'dist/engine.js']) {
    if (!existsSync(join(ROOT, file))) {
      throw new Error(`${file} is missing: run \`npm run build\` first, then run this check again.`);
    }
  }
  const newer = newerSources(statSync(join(ROOT, 'dist/index.js')).mtimeMs);
  if (newer.length > 0) {
    console.warn(
      `warning: dist/ is older than ${newer.slice(0, 3).join(', ')}: run \`npm run build\` to measure them.\n`,
    );
  }
  const budgets: Budgets = JSON.parse(readFileSync(BUDGETS_FILE, 'utf8'));
  const { figures, problems, dexieNote } = await measure();
  if (process.argv.includes('--write-budgets')) {
    budgets.budgets = Object.fromEntries(figures.map((f) => [f.id, budgetFor(f.gzip)]));
    writeFileSync(BUDGETS_FILE, `${JSON.stringify(budgets, null, 2)}\n`);
    console.log(`wrote ${relative(ROOT, BUDGETS_FILE)}: review the diff`);
  }
  console.log(
    `gzip -9 per file, KiB = 1024 bytes; React and React Query external.\n\n${table(figures, budgets)}\n`,
  );
  if (dexieNote) console.log(`${dexieNote}\n`);
  for (const figure of figures) {
    const limit = budgets.budgets[figure.id];
    const aim = budgets.aims?.[figure.id];
    const exceeds = (kibLimit: number | undefined) => kibLimit !== undefined && figure.gzip > kibLimit * KiB;
    if (exceeds(limit) || exceeds(aim) || limit === undefined) {
      console.log(
        `Heaviest sources of ${figure.label} (minified characters):\n${heaviest(figure.bySource, 12)}\n`,
      );
    }
  }
  problems.push(...overBudget(figures, budgets));
  if (problems.length > 0) {
    console.error(problems.map((p) => `✗ ${p}`).join('\n'));
    process.exitCode = 1;
  } else {
    console.log('✓ every bundle within its budget; the hook bundle holds no components and no React Query');
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main().catch((error: unknown) => {
    console.error(`✗ ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
