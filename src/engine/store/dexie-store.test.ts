import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleRecord } from '../../../test/support/resume-helpers';
import { describeStoreContract } from '../../../test/support/store-contract';
import { DexieResumeStore } from './dexie-store';
import { createDefaultResumeStore, MemoryResumeStore } from './index';

let counter = 0;
const opened: DexieResumeStore[] = [];

function open(databaseName = `s3mu-test-${++counter}`): DexieResumeStore {
  const store = new DexieResumeStore({ databaseName, indexedDB, IDBKeyRange });
  opened.push(store);
  return store;
}

afterEach(() => {
  for (const store of opened.splice(0)) store.close();
});

describeStoreContract('DexieResumeStore (fake-indexeddb)', () => open());

describe('DexieResumeStore', () => {
  it('declares schema version 1 keyed by id with the indexes it queries', async () => {
    const store = open();
    await store.db.open();
    expect(store.db.verno).toBe(1);
    const schema = store.db.uploads.schema;
    expect(schema.primKey.keyPath).toBe('id');
    expect(schema.indexes.map((i) => i.name).sort()).toEqual(['expiresAt', 'signerId', 'updatedAt']);
  });

  it('keeps records across connections (a page reload)', async () => {
    const name = `s3mu-reload-${++counter}`;
    const first = open(name);
    await first.put(sampleRecord({ parts: [{ partNumber: 1, etag: '"x"', size: 8 }] }));
    first.close();
    const second = open(name);
    expect((await second.get('a1b2c3'))?.parts).toEqual([{ partNumber: 1, etag: '"x"', size: 8 }]);
  });

  it('keeps databases of different names apart', async () => {
    const a = open();
    const b = open();
    await a.put(sampleRecord());
    expect(await b.get('a1b2c3')).toBeUndefined();
  });

  it('ignores rows that are not records of the current version', async () => {
    const store = open();
    await store.db.uploads.put({ id: 'junk', version: 99 } as never);
    expect(await store.get('junk')).toBeUndefined();
    expect(await store.list()).toEqual([]);
  });
});

describe('createDefaultResumeStore', () => {
  it('uses IndexedDB when given one, memory otherwise (SSR)', () => {
    const idb = createDefaultResumeStore({
      databaseName: `s3mu-default-${++counter}`,
      indexedDB,
      IDBKeyRange,
    });
    expect(idb).toBeInstanceOf(DexieResumeStore);
    (idb as DexieResumeStore).close();
    expect(typeof globalThis.indexedDB).toBe('undefined');
    expect(createDefaultResumeStore()).toBeInstanceOf(MemoryResumeStore);
  });
});
