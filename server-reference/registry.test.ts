import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createFileRegistry,
  createMemoryRegistry,
  createUploadRegistry,
  DEFAULT_REGISTRY_TTL_MS,
  type RegistryOptions,
  type UploadRegistry,
} from './registry';

const FP = 'f'.repeat(64);
const FP2 = 'e'.repeat(64);
const dir = mkdtempSync(join(tmpdir(), 'registry-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newFile = () => join(dir, `sub-${++files}`, 'uploads.json');

const up = (n: number, initiated = 1000 + n) => ({ key: `k/${n}`, uploadId: `u-${n}`, initiated });

const kinds: [string, (options?: RegistryOptions) => UploadRegistry][] = [
  ['memory', (options) => createMemoryRegistry(options)],
  ['file', (options) => createFileRegistry(newFile(), options)],
];

describe.each(kinds)('%s registry', (_kind, make) => {
  it('finds the newest upload of an owner and fingerprint, and nothing for others', async () => {
    const registry = make({ now: () => 5000 });
    await registry.remember('alice', FP, up(1));
    await registry.remember('alice', FP, up(2));
    await registry.remember('alice', FP2, up(3));
    await registry.remember('bob', FP, up(4));
    expect(await registry.find('alice', FP)).toEqual(up(2));
    expect(await registry.find('alice', FP2)).toEqual(up(3));
    expect(await registry.find('bob', FP)).toEqual(up(4));
    expect(await registry.find('carol', FP)).toBeNull();
  });

  it('forgets completed or aborted uploads (the older one shows again)', async () => {
    const registry = make({ now: () => 5000 });
    await registry.remember('alice', FP, up(1));
    await registry.remember('alice', FP, up(2));
    await registry.forget({ key: 'k/2', uploadId: 'u-2' });
    expect(await registry.find('alice', FP)).toEqual(up(1));
    await registry.forget({ key: 'k/1', uploadId: 'u-1' });
    await registry.forget({ key: 'k/1', uploadId: 'u-1' });
    expect(await registry.find('alice', FP)).toBeNull();
  });

  it('drops entries older than the TTL and keeps at most maxPerFile per file', async () => {
    let now = 10_000;
    const registry = make({ now: () => now, ttlMs: 1000, maxPerFile: 2 });
    await registry.remember('alice', FP, up(1, 9500));
    expect(await registry.find('alice', FP)).toEqual(up(1, 9500));
    now = 10_600;
    expect(await registry.find('alice', FP)).toBeNull();
    await registry.remember('alice', FP, up(2, 10_100));
    await registry.remember('alice', FP, up(3, 10_200));
    await registry.remember('alice', FP, up(4, 10_300));
    await registry.forget({ key: 'k/4', uploadId: 'u-4' });
    expect(await registry.find('alice', FP)).toEqual(up(3, 10_200));
    await registry.forget({ key: 'k/3', uploadId: 'u-3' });
    expect(await registry.find('alice', FP)).toBeNull();
  });
});

describe('file registry', () => {
  it('survives a restart, writes atomically (no temporary files left) and privately', async () => {
    const path = newFile();
    const first = createFileRegistry(path, { now: () => 5000 });
    await Promise.all([first.remember('alice', FP, up(1)), first.remember('bob', FP, up(2))]);
    await first.forget({ key: 'k/2', uploadId: 'u-2' });
    const data = JSON.parse(readFileSync(path, 'utf8'));
    expect(data).toEqual({ version: 1, uploads: [{ owner: 'alice', fingerprint: FP, ...up(1) }] });
    expect(readdirSync(join(path, '..'))).toEqual(['uploads.json']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const second = createFileRegistry(path, { now: () => 5000 });
    expect(await second.find('alice', FP)).toEqual(up(1));
    expect(await second.find('bob', FP)).toBeNull();
  });

  it('a missing file is an empty registry; a corrupt one is an error naming the file', async () => {
    expect(await createFileRegistry(newFile()).find('alice', FP)).toBeNull();
    const path = join(dir, 'corrupt.json');
    writeFileSync(path, '{"version": 1, "uploads": [');
    await expect(createFileRegistry(path).find('alice', FP)).rejects.toThrow(
      /corrupt\.json is not valid JSON/,
    );
    writeFileSync(path, '{"version": 2, "uploads": []}');
    await expect(createFileRegistry(path).find('alice', FP)).rejects.toThrow(/not a version 1 registry/);
  });
});

describe('createUploadRegistry', () => {
  it('follows SIGNER_UPLOAD_REGISTRY', async () => {
    expect(createUploadRegistry(undefined)).toBeUndefined();
    expect(createUploadRegistry({ mode: 'none' })).toBeUndefined();
    const memory = createUploadRegistry({ mode: 'memory' });
    await memory?.remember('alice', FP, up(1, Date.now()));
    expect((await memory?.find('alice', FP))?.key).toBe('k/1');
    const path = newFile();
    await createUploadRegistry({ mode: 'file', path })?.remember('alice', FP, up(1, Date.now()));
    expect(readFileSync(path, 'utf8')).toContain('"k/1"');
    expect(DEFAULT_REGISTRY_TTL_MS).toBe(7 * 24 * 3600 * 1000);
  });
});
