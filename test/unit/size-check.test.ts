// The size check's own logic: byte attribution through source maps (what names the heaviest
// files and proves tree-shaking), the leak rules and the budget comparison.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import {
  budgetFor,
  type ConsumerBundle,
  charsBySource,
  decodeSegment,
  type Figure,
  leaks,
  overBudget,
} from '../../scripts/size-check';

const fixture = mkdtempSync(join(tmpdir(), 'size-check-'));
afterAll(() => rmSync(fixture, { recursive: true, force: true }));

function bundleWith(bySource: Record<string, number>, externalImports: string[] = []): ConsumerBundle {
  const initial = { name: 'initial', raw: 1, gzip: 1, bySource: new Map(Object.entries(bySource)) };
  return { initial, lazy: [], externalImports, inputs: [] };
}

function figure(id: string, gzip: number): Figure {
  return { id, label: id, raw: gzip * 3, gzip, bySource: new Map() };
}

describe('decodeSegment', () => {
  it('decodes base64 VLQ fields, signs and continuations included', () => {
    expect(decodeSegment('AAAA')).toEqual([0, 0, 0, 0]);
    expect(decodeSegment('gBDC')).toEqual([16, -1, 1]);
    expect(() => decodeSegment('A*')).toThrow(/Invalid base64 VLQ/);
  });
});

describe('charsBySource', () => {
  it('splits an esbuild bundle over the files that produced it, tree-shaken code excluded', async () => {
    writeFileSync(
      join(fixture, 'heavy.ts'),
      `export const heavy = () => ${JSON.stringify('x'.repeat(2000))};\n`,
    );
    writeFileSync(join(fixture, 'light.ts'), 'export const light = (n: number) => n + 1;\n');
    writeFileSync(
      join(fixture, 'unused.ts'),
      `export const unused = () => ${JSON.stringify('y'.repeat(500))};\n`,
    );
    writeFileSync(
      join(fixture, 'app.ts'),
      "import { heavy } from './heavy';\nimport { light } from './light';\nimport { unused } from './unused';\nvoid unused;\nexport const app = () => heavy() + light(1);\n",
    );
    const outdir = join(fixture, 'out');
    const result = await build({
      entryPoints: [join(fixture, 'app.ts')],
      bundle: true,
      minify: true,
      format: 'esm',
      outdir,
      write: false,
      sourcemap: 'external',
      logLevel: 'silent',
    });
    const code = result.outputFiles.find((f) => f.path.endsWith('.js'))?.text ?? '';
    const map = JSON.parse(result.outputFiles.find((f) => f.path.endsWith('.map'))?.text ?? '{}');
    const chars = [...charsBySource(code, map, outdir)];
    const of = (name: string) => chars.find(([source]) => source.endsWith(`/${name}`))?.[1] ?? 0;

    expect(of('heavy.ts')).toBeGreaterThan(2000);
    expect(of('light.ts')).toBeGreaterThan(0);
    expect(of('light.ts')).toBeLessThan(100);
    expect(of('unused.ts')).toBe(0);
    // Every character of every line is owned by exactly one source (or "(unmapped)").
    const total = chars.reduce((sum, [, n]) => sum + n, 0);
    expect(total).toBe(code.length - (code.split('\n').length - 1));
  });
});

describe('leaks', () => {
  const hook = { label: 'hook', forbidden: ['src/components/', 'node_modules/@tanstack/'] };

  it('accepts a bundle whose sources avoid the forbidden paths', () => {
    expect(leaks(hook, bundleWith({ 'src/hooks/use-multipart-upload.ts': 900 }))).toEqual([]);
  });

  it('names a component file that reached the bundle', () => {
    const problems = leaks(hook, bundleWith({ 'src/hooks/a.ts': 10, 'src/components/s3-uploader.tsx': 5 }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('src/components/s3-uploader.tsx');
  });

  it('catches React Query left as an external import', () => {
    const problems = leaks(hook, bundleWith({ 'src/hooks/a.ts': 10 }, ['react', '@tanstack/react-query']));
    expect(problems.join('\n')).toContain('@tanstack/react-query');
  });

  it('refuses to pass when nothing maps back to src/ (no source maps: the check would be blind)', () => {
    expect(leaks(hook, bundleWith({ '(unmapped)': 100 }))[0]).toMatch(/source maps/);
  });
});

describe('budgets', () => {
  it('sets a budget at the measured size + 10 %, in KiB rounded up to 0.1', () => {
    expect(budgetFor(10_833)).toBe(11.7);
    expect(budgetFor(1024)).toBe(1.1);
    expect(budgetFor(1025)).toBe(1.2);
  });

  it('passes within the budget and fails above it, saying by how much and what to do', () => {
    const budgets = { budgets: { engine: 12 } };
    expect(overBudget([figure('engine', 12 * 1024)], budgets)).toEqual([]);
    const [problem] = overBudget([figure('engine', 13 * 1024)], budgets);
    expect(problem).toContain('13.0 KiB gzip, over its 12 KiB budget by 1.0 KiB');
    expect(problem).toContain('size-budgets.json');
  });

  it('fails for a bundle without a budget and proposes one', () => {
    const [problem] = overBudget([figure('lazy:new-chunk', 2048)], { budgets: {} });
    expect(problem).toContain('"lazy:new-chunk": 2.2');
  });
});
