import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleRecord } from '../../../test/support/resume-helpers';
import { describeStoreContract } from '../../../test/support/store-contract';
import { FileResumeStore } from './file-store';

const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 's3mu-store-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describeStoreContract('FileResumeStore', async () => new FileResumeStore(join(await tempDir(), 'state')));

describe('FileResumeStore', () => {
  it('writes one JSON file per record and leaves no temp files', async () => {
    const dir = await tempDir();
    const store = new FileResumeStore(dir);
    await store.put(sampleRecord());
    await store.addParts('a1b2c3', [{ partNumber: 1, etag: '"e"', size: 8 }], { updatedAt: 1, expiresAt: 2 });
    const names = await readdir(dir);
    expect(names).toEqual(['a1b2c3.upload.json']);
    const json = JSON.parse(await readFile(join(dir, 'a1b2c3.upload.json'), 'utf8'));
    expect(json).toMatchObject({ version: 1, id: 'a1b2c3', parts: [{ partNumber: 1, etag: '"e"' }] });
  });

  it('ignores corrupt and foreign files', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'bad.upload.json'), '{"version":1,');
    await writeFile(join(dir, 'other.upload.json'), JSON.stringify({ version: 2, id: 'other' }));
    await writeFile(join(dir, 'notes.txt'), 'hello');
    const store = new FileResumeStore(dir);
    expect(await store.get('bad')).toBeUndefined();
    expect(await store.list()).toEqual([]);
  });

  it('remove also deletes temp files a killed process left for that record', async () => {
    const dir = await tempDir();
    const store = new FileResumeStore(dir);
    await store.put(sampleRecord());
    await writeFile(join(dir, 'a1b2c3.upload.json.4242.deadbeef.tmp'), '{');
    await writeFile(join(dir, 'zzz.upload.json.4242.cafe.tmp'), '{');
    await store.remove('a1b2c3');
    expect(await readdir(dir)).toEqual(['zzz.upload.json.4242.cafe.tmp']);
  });

  it('keeps ids that are not file-name safe inside its directory', async () => {
    const dir = await tempDir();
    const store = new FileResumeStore(join(dir, 'state'));
    await store.put(sampleRecord({ id: '../../escape' }));
    expect(await readdir(dir)).toEqual(['state']);
    expect((await store.get('../../escape'))?.id).toBe('../../escape');
  });

  it('lists nothing when the directory does not exist yet', async () => {
    const store = new FileResumeStore(join(await tempDir(), 'missing'));
    expect(await store.list()).toEqual([]);
    expect(await store.removeExpired(Date.now())).toEqual([]);
  });
});
