import { createHash } from 'node:crypto';
import { createMD5 } from 'hash-wasm';
import { describe, expect, it, vi } from 'vitest';
import { md5Base64 } from './md5';

vi.mock('hash-wasm', async (importOriginal) => {
  const actual = await importOriginal<typeof import('hash-wasm')>();
  return { ...actual, createMD5: vi.fn(actual.createMD5) };
});

const md5 = (text: string) => createHash('md5').update(text).digest('base64');

describe('md5Base64', () => {
  it('reuses its WebAssembly hasher from one blob to the next, one per concurrent call', async () => {
    expect(await md5Base64(new Blob(['a']))).toBe(md5('a'));
    expect(await md5Base64(new Blob(['b']))).toBe(md5('b'));
    expect(await md5Base64(new Blob(['c']))).toBe(md5('c'));
    expect(createMD5).toHaveBeenCalledTimes(1);

    // Interleaved streams never share a hasher.
    const big = 'x'.repeat(200_000);
    expect(await Promise.all([md5Base64(new Blob([big])), md5Base64(new Blob(['d']))])).toEqual([
      md5(big),
      md5('d'),
    ]);
    expect(createMD5).toHaveBeenCalledTimes(2);
  });
});
