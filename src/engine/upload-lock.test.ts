import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  acquireUploadLock,
  announceUploadCompleted,
  createInMemoryUploadLocks,
  createUploadLocks,
  heldUploadLocks,
  type LockManagerLike,
  onUploadCompletedElsewhere,
  type StorageLike,
  UPLOAD_LOCK_PREFIX,
  uploadLockName,
  waitForUploadLock,
} from './upload-lock';
import type { UploadResult } from './upload-state';

/** Web Locks semantics (exclusive mode): ifAvailable, queued waits, signal, query. */
class FakeLockManager implements LockManagerLike {
  readonly held = new Set<string>();
  private readonly queues = new Map<string, Array<() => void>>();
  requests: LockOptions[] = [];

  request(name: string, options: LockOptions, callback: (lock: unknown) => unknown): Promise<unknown> {
    this.requests.push(options);
    return new Promise((resolve, reject) => {
      if (options.ifAvailable && options.signal) {
        reject(new DOMException('signal with ifAvailable', 'NotSupportedError'));
        return;
      }
      const grant = () => {
        this.held.add(name);
        Promise.resolve()
          .then(() => callback({ name, mode: 'exclusive' }))
          .then(
            (value) => {
              this.free(name);
              resolve(value);
            },
            (error) => {
              this.free(name);
              reject(error);
            },
          );
      };
      const queue = this.queues.get(name) ?? [];
      if (!this.held.has(name) && queue.length === 0) {
        grant();
      } else if (options.ifAvailable) {
        Promise.resolve()
          .then(() => callback(null))
          .then(resolve, reject);
      } else {
        queue.push(grant);
        this.queues.set(name, queue);
        options.signal?.addEventListener('abort', () => {
          this.queues.set(
            name,
            (this.queues.get(name) ?? []).filter((g) => g !== grant),
          );
          reject(options.signal?.reason);
        });
      }
    });
  }

  async query() {
    return { held: [...this.held].map((name) => ({ name })) };
  }

  private free(name: string) {
    this.held.delete(name);
    const next = this.queues.get(name)?.shift();
    next?.();
  }
}

class MapStorage implements StorageLike {
  readonly map = new Map<string, string>();
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.map.set(key, value);
  }
  removeItem(key: string) {
    this.map.delete(key);
  }
  get length() {
    return this.map.size;
  }
  key(index: number) {
    return [...this.map.keys()][index] ?? null;
  }
}

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(() => {
  vi.useRealTimers();
});

describe('upload locks over Web Locks', () => {
  it('holds the lock until released; a second ask is refused at once, without a signal', async () => {
    const locks = new FakeLockManager();
    const first = await acquireUploadLock('fp', { locks });
    expect(first).toMatchObject({ acquired: true, mechanism: 'web-locks' });
    expect(locks.held.has(uploadLockName('fp'))).toBe(true);
    const second = await acquireUploadLock('fp', { locks, signal: new AbortController().signal });
    expect(second.acquired).toBe(false);
    // ifAvailable and signal are mutually exclusive in the spec: the signal is never passed along.
    expect(locks.requests.every((o) => !(o.ifAvailable && o.signal))).toBe(true);
    expect(await acquireUploadLock('other', { locks })).toMatchObject({ acquired: true });
    first.release();
    first.release(); // idempotent
    await tick();
    expect(locks.held.has(uploadLockName('fp'))).toBe(false);
    expect((await acquireUploadLock('fp', { locks })).acquired).toBe(true);
  });

  it('waits for the holder to go away, then takes over', async () => {
    const locks = new FakeLockManager();
    const first = await acquireUploadLock('fp', { locks });
    let taken = false;
    const waiting = waitForUploadLock('fp', { locks }).then((lock) => {
      taken = true;
      return lock;
    });
    await tick(10);
    expect(taken).toBe(false);
    first.release();
    const lock = await waiting;
    expect(lock).toMatchObject({ acquired: true, mechanism: 'web-locks' });
    expect(await heldUploadLocks({ locks })).toEqual(new Set(['fp']));
    lock.release();
    await tick();
    expect(await heldUploadLocks({ locks })).toEqual(new Set());
  });

  it('stops waiting when the signal aborts', async () => {
    const locks = new FakeLockManager();
    await acquireUploadLock('fp', { locks });
    const controller = new AbortController();
    const waiting = waitForUploadLock('fp', { locks, signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    await expect(acquireUploadLock('fp', { locks, signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('falls back to the lease when Web Locks refuse (opaque origin)', async () => {
    const storage = new MapStorage();
    const locks: LockManagerLike = {
      request: () => Promise.reject(new DOMException('opaque origin', 'SecurityError')),
    };
    const lock = await acquireUploadLock('fp', { locks, storage });
    expect(lock).toMatchObject({ acquired: true, mechanism: 'lease' });
    lock.release();
  });
});

describe('upload locks over a localStorage lease (no Web Locks)', () => {
  it('gives the lease to one tab; the other waits and takes over on release', async () => {
    const storage = new MapStorage();
    const env = { locks: null, storage, pollMs: 20 };
    const a = await acquireUploadLock('fp', env);
    expect(a).toMatchObject({ acquired: true, mechanism: 'lease' });
    expect(JSON.parse(storage.getItem(`${UPLOAD_LOCK_PREFIX}fp`) ?? '{}').expiresAt).toBeGreaterThan(
      Date.now(),
    );
    expect((await acquireUploadLock('fp', env)).acquired).toBe(false);
    expect(await heldUploadLocks(env)).toEqual(new Set(['fp']));
    const waiting = waitForUploadLock('fp', env);
    await tick(60);
    a.release();
    const b = await waiting;
    expect(b).toMatchObject({ acquired: true, mechanism: 'lease' });
    b.release();
    expect(storage.getItem(`${UPLOAD_LOCK_PREFIX}fp`)).toBeNull();
    expect(await heldUploadLocks(env)).toEqual(new Set());
  });

  it('renews the lease while held, and a tab that died loses it when it expires', async () => {
    const storage = new MapStorage();
    const env = { locks: null, storage, leaseMs: 150, pollMs: 20 };
    const alive = await acquireUploadLock('fp', env);
    await tick(400); // several lifetimes: renewed every 50 ms
    expect((await acquireUploadLock('fp', env)).acquired).toBe(false);
    alive.release();

    // A tab that crashed: its lease stays in storage but nobody renews it.
    storage.setItem(
      `${UPLOAD_LOCK_PREFIX}fp`,
      JSON.stringify({ owner: 'dead', expiresAt: Date.now() + 100 }),
    );
    expect((await acquireUploadLock('fp', env)).acquired).toBe(false);
    const started = Date.now();
    const taken = await waitForUploadLock('fp', env);
    expect(taken.acquired).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    taken.release();
  });

  it('stops waiting on abort', async () => {
    const storage = new MapStorage();
    const env = { locks: null, storage, pollMs: 10 };
    await acquireUploadLock('fp', env);
    const controller = new AbortController();
    const waiting = waitForUploadLock('fp', { ...env, signal: controller.signal });
    await tick(30);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('keeps working as "acquired" when storage throws (documented: nothing is coordinated)', async () => {
    const storage = new MapStorage();
    storage.setItem = () => {
      throw new DOMException('quota', 'QuotaExceededError');
    };
    expect(await acquireUploadLock('fp', { locks: null, storage })).toMatchObject({
      acquired: true,
      mechanism: 'none',
    });
  });
});

describe('upload locks without Web Locks or storage (Node, SSR)', () => {
  it('always acquires, mechanism "none"', async () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    const locks = createUploadLocks();
    const a = await locks.acquire('fp');
    const b = await locks.acquire('fp');
    expect([a, b].map((l) => [l.acquired, l.mechanism])).toEqual([
      [true, 'none'],
      [true, 'none'],
    ]);
    expect((await locks.wait('fp')).acquired).toBe(true);
    expect(await locks.held()).toEqual(new Set());
  });
});

describe('createInMemoryUploadLocks', () => {
  it('is exclusive within the realm, hands over in order and honours abort', async () => {
    const locks = createInMemoryUploadLocks();
    const a = await locks.acquire('fp');
    expect(a).toMatchObject({ acquired: true, mechanism: 'memory' });
    expect((await locks.acquire('fp')).acquired).toBe(false);
    const controller = new AbortController();
    const aborted = locks.wait('fp', { signal: controller.signal });
    const second = locks.wait('fp');
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    expect(await locks.held()).toEqual(new Set(['fp']));
    a.release();
    const b = await second;
    expect(b.acquired).toBe(true);
    b.release();
    expect(await locks.held()).toEqual(new Set());
  });
});

describe('completion announcements', () => {
  const result: UploadResult = {
    key: 'k',
    etag: '"e-2"',
    size: 10,
    uploadId: 'u',
    partCount: 2,
    integrity: 'off',
  };

  it('reaches a waiter of the same fingerprint once, in this realm and through BroadcastChannel', async () => {
    const seen: UploadResult[] = [];
    const other: UploadResult[] = [];
    const stop = onUploadCompletedElsewhere('fp', (r) => seen.push(r));
    const stopOther = onUploadCompletedElsewhere('other', (r) => other.push(r));
    announceUploadCompleted('fp', result);
    await tick(20);
    expect(seen).toEqual([result]);
    expect(other).toEqual([]);

    // A message from another tab (another sender) arrives through the channel.
    const channel = new BroadcastChannel('s3-multipart-uploader:uploads');
    channel.postMessage({ type: 'completed', fingerprint: 'fp', result, sender: 'another-tab' });
    await tick(20);
    channel.close();
    expect(seen).toHaveLength(2);
    stop();
    stopOther();
    announceUploadCompleted('fp', result);
    await tick(20);
    expect(seen).toHaveLength(2);
  });
});
