// One upload, one tab: a lock per file fingerprint, so that two tabs of the same app (or two
// uploaders in one page) never drive the same multipart upload at once. A browser edge, safe to
// import anywhere: every global is looked up when a lock is asked for, never at module load.
//
// - Web Locks (`navigator.locks`, every current browser): the lock is held for as long as this
//   page holds it and is released by the browser when the page goes away (reload, close, crash).
// - Where Web Locks are missing or refused: a lease in localStorage, renewed every third of its
//   lifetime (15 s) and removed on `pagehide`. Best effort: localStorage has no compare-and-set,
//   so two tabs asking within a few milliseconds of each other could both get it, and a tab whose
//   timers the browser throttles for longer than the lease can lose it.
// - Neither (Node, SSR, storage disabled): every lock is "acquired" (mechanism 'none'); nothing
//   is coordinated.
import type { UploadResult } from './upload-state';

/** Lock names are this prefix + the file fingerprint (Web Locks names and lease keys alike). */
export const UPLOAD_LOCK_PREFIX = 's3-multipart-uploader:upload:';

export type UploadLockMechanism = 'web-locks' | 'lease' | 'memory' | 'none';

export interface UploadLock {
  /** False when another tab (or another upload of this page) holds the lock. */
  readonly acquired: boolean;
  readonly mechanism: UploadLockMechanism;
  /** Lets go of the lock (idempotent; a no-op when not acquired). */
  release(): void;
}

/** The part of the Web Locks `LockManager` used here (tests pass a fake). */
export interface LockManagerLike {
  request(name: string, options: LockOptions, callback: (lock: unknown) => unknown): Promise<unknown>;
  query?(): Promise<{ held?: Array<{ name?: string }> }>;
}

/** The part of `Storage` the lease fallback uses. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  readonly length: number;
  key(index: number): string | null;
}

export interface UploadLockEnvironment {
  /** Web Locks (default `navigator.locks`); null to use the fallback. */
  locks?: LockManagerLike | null;
  /** Storage of the lease fallback (default `localStorage`); null for no lease. */
  storage?: StorageLike | null;
  /** Lifetime of a lease (default 15 s); renewed every third of it while held. */
  leaseMs?: number;
  /** How often a tab waiting for a lease checks it (default 1 s; a released lease wakes it at once). */
  pollMs?: number;
}

export interface UploadLockOptions extends UploadLockEnvironment {
  /** Stops waiting: the promise rejects with the signal's reason (an AbortError). */
  signal?: AbortSignal;
}

/** A lock provider: what sessions and lists use, so tests and apps can replace it. */
export interface UploadLocks {
  /** Takes the lock if nobody holds it; resolves at once either way. */
  acquire(fingerprint: string, options?: { signal?: AbortSignal }): Promise<UploadLock>;
  /** Waits until the lock is free (the tab holding it released it or went away) and takes it. */
  wait(fingerprint: string, options?: { signal?: AbortSignal }): Promise<UploadLock>;
  /** Fingerprints whose lock someone holds right now (this page included). */
  held(): Promise<Set<string>>;
}

const DEFAULT_LEASE_MS = 15_000;
const DEFAULT_POLL_MS = 1_000;
/** A lease is read back this long after writing it: the later of two simultaneous writers wins. */
const LEASE_SETTLE_MS = 50;

export function uploadLockName(fingerprint: string): string {
  return `${UPLOAD_LOCK_PREFIX}${fingerprint}`;
}

function randomId(): string {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function abortError(signal: AbortSignal): unknown {
  if (signal.reason !== undefined) return signal.reason;
  return new DOMException('The lock request was aborted.', 'AbortError');
}

function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

function notAcquired(mechanism: UploadLockMechanism): UploadLock {
  return { acquired: false, mechanism, release() {} };
}

function acquired(mechanism: UploadLockMechanism, release: () => void): UploadLock {
  let released = false;
  return {
    acquired: true,
    mechanism,
    release() {
      if (released) return;
      released = true;
      release();
    },
  };
}

function webLocksOf(env: UploadLockEnvironment): LockManagerLike | null {
  if (env.locks !== undefined) return env.locks;
  const locks = (globalThis as { navigator?: { locks?: unknown } }).navigator?.locks as
    | LockManagerLike
    | null
    | undefined;
  return locks && typeof locks.request === 'function' ? locks : null;
}

function storageOf(env: UploadLockEnvironment): StorageLike | null {
  if (env.storage !== undefined) return env.storage;
  try {
    // Reading localStorage throws where storage is disabled (sandboxed frames, some privacy modes).
    return (globalThis as { localStorage?: StorageLike }).localStorage ?? null;
  } catch {
    return null;
  }
}

// ---- Web Locks ---------------------------------------------------------------------------------

/**
 * One `navigator.locks.request` whose callback keeps the lock until `release()`. With
 * `ifAvailable` the callback gets null at once when someone holds it (the spec forbids a signal
 * with ifAvailable, so the signal is checked around it instead).
 */
function requestWebLock(
  locks: LockManagerLike,
  name: string,
  wait: boolean,
  signal: AbortSignal | undefined,
): Promise<UploadLock> {
  return new Promise<UploadLock>((resolve, reject) => {
    let settled = false;
    let letGo: () => void = () => {};
    const held = new Promise<void>((done) => {
      letGo = done;
    });
    const options: LockOptions = wait ? (signal ? { signal } : {}) : { ifAvailable: true };
    let request: Promise<unknown>;
    try {
      request = locks.request(name, options, (lock) => {
        settled = true;
        if (!lock) {
          resolve(notAcquired('web-locks'));
          return undefined;
        }
        if (signal?.aborted) {
          reject(abortError(signal));
          return undefined; // returning releases the lock at once
        }
        resolve(acquired('web-locks', letGo));
        return held;
      });
    } catch (error) {
      reject(error);
      return;
    }
    // Rejected before the callback ran: aborted while waiting, or Web Locks refused (SecurityError
    // in opaque origins). Rejected after it: the lock was stolen, nothing to do here.
    request.catch((error: unknown) => {
      if (!settled) {
        settled = true;
        reject(error);
      }
    });
  });
}

// ---- localStorage lease --------------------------------------------------------------------------

interface LeaseValue {
  owner: string;
  expiresAt: number;
}

function readLease(storage: StorageLike, key: string): LeaseValue | null {
  try {
    const value = JSON.parse(storage.getItem(key) ?? 'null') as Partial<LeaseValue> | null;
    if (value && typeof value.owner === 'string' && typeof value.expiresAt === 'number')
      return { owner: value.owner, expiresAt: value.expiresAt };
  } catch {
    // unreadable: as if absent
  }
  return null;
}

function onPageHide(listener: () => void): () => void {
  const win = globalThis as unknown as Partial<Pick<Window, 'addEventListener' | 'removeEventListener'>>;
  if (typeof win.addEventListener !== 'function') return () => {};
  win.addEventListener('pagehide', listener);
  return () => win.removeEventListener?.('pagehide', listener);
}

function delay(ms: number, signal?: AbortSignal, wake?: (resolve: () => void) => () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    let stopWake: () => void = () => {};
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      stopWake();
      resolve();
    };
    const onAbort = () => {
      clearTimeout(timer);
      stopWake();
      reject(abortError(signal as AbortSignal));
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (wake) stopWake = wake(done);
  });
}

/** Holds a lease: renews it every third of its lifetime, drops it on release or pagehide. */
function holdLease(storage: StorageLike, key: string, owner: string, leaseMs: number): UploadLock {
  const renew = setInterval(
    () => {
      try {
        if (readLease(storage, key)?.owner !== owner) {
          stop(); // lost (expired while this page's timers were throttled, then taken)
          return;
        }
        storage.setItem(key, JSON.stringify({ owner, expiresAt: Date.now() + leaseMs }));
      } catch {
        stop();
      }
    },
    Math.max(1, Math.floor(leaseMs / 3)),
  );
  const stopPageHide = onPageHide(() => lock.release());
  const stop = () => {
    clearInterval(renew);
    stopPageHide();
  };
  const lock = acquired('lease', () => {
    stop();
    try {
      if (readLease(storage, key)?.owner === owner) storage.removeItem(key);
    } catch {
      // storage gone: the lease expires by itself
    }
  });
  return lock;
}

async function tryLease(storage: StorageLike, key: string, leaseMs: number): Promise<UploadLock | null> {
  const current = readLease(storage, key);
  if (current && current.expiresAt > Date.now()) return null;
  const owner = randomId();
  storage.setItem(key, JSON.stringify({ owner, expiresAt: Date.now() + leaseMs }));
  await delay(LEASE_SETTLE_MS);
  if (readLease(storage, key)?.owner !== owner) return null;
  return holdLease(storage, key, owner, leaseMs);
}

/** Wakes a waiting tab as soon as another tab removes or replaces the lease (`storage` event). */
function storageWake(key: string): (resolve: () => void) => () => void {
  return (resolve) => {
    const win = globalThis as unknown as Partial<Pick<Window, 'addEventListener' | 'removeEventListener'>>;
    if (typeof win.addEventListener !== 'function') return () => {};
    const onStorage = (event: Event) => {
      const changed = (event as StorageEvent).key;
      if (changed === key || changed === null) resolve();
    };
    win.addEventListener('storage', onStorage);
    return () => win.removeEventListener?.('storage', onStorage);
  };
}

/**
 * Takes the lease if it is free or expired. With `wait`, keeps trying (every `pollMs`, at once
 * when another tab changes it) until it gets it; without, answers "not acquired" at once.
 */
async function takeLease(
  storage: StorageLike,
  key: string,
  options: { leaseMs: number; pollMs: number; wait: boolean; signal: AbortSignal | undefined },
): Promise<UploadLock> {
  const { signal } = options;
  for (;;) {
    if (signal?.aborted) throw abortError(signal);
    const lock = await tryLease(storage, key, options.leaseMs);
    if (lock) {
      if (signal?.aborted) {
        lock.release();
        throw abortError(signal);
      }
      return lock;
    }
    if (!options.wait) return notAcquired('lease');
    const lease = readLease(storage, key);
    const untilExpiry = lease ? Math.max(0, lease.expiresAt - Date.now()) + 1 : 0;
    await delay(Math.min(options.pollMs, untilExpiry), signal, storageWake(key));
  }
}

// ---- public API --------------------------------------------------------------------------------

/**
 * The one path behind acquire and wait: Web Locks, else the lease, else nothing to coordinate
 * with ('none'). A mechanism that is refused or unusable falls through to the next; an abort
 * never does.
 */
async function takeUploadLock(
  fingerprint: string,
  options: UploadLockOptions,
  wait: boolean,
): Promise<UploadLock> {
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal);
  const name = uploadLockName(fingerprint);
  const locks = webLocksOf(options);
  if (locks) {
    try {
      return await requestWebLock(locks, name, wait, signal);
    } catch (error) {
      if (signal?.aborted || isAbortError(error)) throw error;
      // Web Locks refused (e.g. an opaque origin): fall back to the lease.
    }
  }
  const storage = storageOf(options);
  if (storage) {
    try {
      const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
      const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
      return await takeLease(storage, name, { leaseMs, pollMs, wait, signal });
    } catch (error) {
      if (signal?.aborted || isAbortError(error)) throw error;
      // Storage unusable (quota, disabled): nothing to coordinate with.
    }
  }
  return acquired('none', () => {});
}

/**
 * Takes the upload lock of `fingerprint` if nobody holds it, without waiting: `acquired` says
 * whether it did. Hold it for as long as this page drives the upload and `release()` it when the
 * upload ends; the browser releases it when the page goes away.
 */
export function acquireUploadLock(fingerprint: string, options: UploadLockOptions = {}): Promise<UploadLock> {
  return takeUploadLock(fingerprint, options, false);
}

/**
 * Waits until the upload lock of `fingerprint` is free and takes it: how a tab takes over an
 * upload when the tab driving it goes away. Rejects with the signal's reason when aborted.
 */
export function waitForUploadLock(fingerprint: string, options: UploadLockOptions = {}): Promise<UploadLock> {
  return takeUploadLock(fingerprint, options, true);
}

/** Fingerprints whose upload lock is held right now, by any tab of this origin (this one included). */
export async function heldUploadLocks(env: UploadLockEnvironment = {}): Promise<Set<string>> {
  const held = new Set<string>();
  const locks = webLocksOf(env);
  if (locks?.query) {
    try {
      for (const lock of (await locks.query()).held ?? []) {
        if (lock.name?.startsWith(UPLOAD_LOCK_PREFIX)) held.add(lock.name.slice(UPLOAD_LOCK_PREFIX.length));
      }
      return held;
    } catch {
      // fall through to the lease
    }
  }
  const storage = storageOf(env);
  if (!storage) return held;
  try {
    const now = Date.now();
    for (let i = 0; i < storage.length; i += 1) {
      const key = storage.key(i);
      if (!key?.startsWith(UPLOAD_LOCK_PREFIX)) continue;
      const lease = readLease(storage, key);
      if (lease && lease.expiresAt > now) held.add(key.slice(UPLOAD_LOCK_PREFIX.length));
    }
  } catch {
    // storage unusable: nothing known
  }
  return held;
}

/** The browser's locks (Web Locks, the lease fallback, or none), with an environment override. */
export function createUploadLocks(env: UploadLockEnvironment = {}): UploadLocks {
  return {
    acquire: (fingerprint, options = {}) => acquireUploadLock(fingerprint, { ...env, ...options }),
    wait: (fingerprint, options = {}) => waitForUploadLock(fingerprint, { ...env, ...options }),
    held: () => heldUploadLocks(env),
  };
}

/** The default lock provider: Web Locks, a localStorage lease where they are missing, none in Node. */
export const browserUploadLocks: UploadLocks = {
  acquire: (fingerprint, options) => acquireUploadLock(fingerprint, options),
  wait: (fingerprint, options) => waitForUploadLock(fingerprint, options),
  held: () => heldUploadLocks(),
};

/**
 * Locks within this JavaScript realm only (no other tab sees them): for tests, and for apps that
 * only need two uploaders of one page kept apart.
 */
export function createInMemoryUploadLocks(): UploadLocks {
  const holders = new Set<string>();
  const waiters = new Map<string, Array<() => void>>();
  const take = (fingerprint: string): UploadLock | null => {
    if (holders.has(fingerprint)) return null;
    holders.add(fingerprint);
    return acquired('memory', () => {
      holders.delete(fingerprint);
      const queue = waiters.get(fingerprint);
      queue?.shift()?.();
      if (queue?.length === 0) waiters.delete(fingerprint);
    });
  };
  return {
    async acquire(fingerprint, options = {}) {
      if (options.signal?.aborted) throw abortError(options.signal);
      return take(fingerprint) ?? notAcquired('memory');
    },
    wait(fingerprint, options = {}) {
      const { signal } = options;
      return new Promise<UploadLock>((resolve, reject) => {
        if (signal?.aborted) {
          reject(abortError(signal));
          return;
        }
        const attempt = () => {
          const lock = take(fingerprint);
          if (!lock) {
            enqueue();
            return;
          }
          signal?.removeEventListener('abort', onAbort);
          resolve(lock);
        };
        const enqueue = () => {
          const queue = waiters.get(fingerprint) ?? [];
          queue.push(attempt);
          waiters.set(fingerprint, queue);
        };
        const onAbort = () => {
          const queue = waiters.get(fingerprint);
          if (queue)
            waiters.set(
              fingerprint,
              queue.filter((w) => w !== attempt),
            );
          reject(abortError(signal as AbortSignal));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        attempt();
      });
    },
    async held() {
      return new Set(holders);
    },
  };
}

// ---- "the other tab finished it" -----------------------------------------------------------------

const CHANNEL_NAME = 's3-multipart-uploader:uploads';

interface CompletedMessage {
  type: 'completed';
  fingerprint: string;
  result: UploadResult;
  sender: string;
}

type CompletionListener = (fingerprint: string, result: UploadResult) => void;

let realm: { id: string; listeners: Set<CompletionListener> } | null = null;
function thisRealm() {
  realm ??= { id: randomId(), listeners: new Set() };
  return realm;
}

function openChannel(): BroadcastChannel | null {
  const Channel = (globalThis as { BroadcastChannel?: typeof BroadcastChannel }).BroadcastChannel;
  if (typeof Channel !== 'function') return null;
  try {
    return new Channel(CHANNEL_NAME);
  } catch {
    return null;
  }
}

/**
 * Tells the other tabs (and uploaders of this page) waiting for this file's lock that its upload
 * completed, so they report this result instead of uploading the file again. Call it before
 * releasing the lock.
 */
export function announceUploadCompleted(fingerprint: string, result: UploadResult): void {
  const { id, listeners } = thisRealm();
  for (const listener of [...listeners]) listener(fingerprint, result);
  const channel = openChannel();
  if (!channel) return;
  try {
    const message: CompletedMessage = { type: 'completed', fingerprint, result, sender: id };
    channel.postMessage(message);
  } catch {
    // not cloneable or closed: the waiting tab will find no record and upload it again
  } finally {
    channel.close();
  }
}

/** Calls `listener` when another tab or uploader announces the upload of `fingerprint` completed. */
export function onUploadCompletedElsewhere(
  fingerprint: string,
  listener: (result: UploadResult) => void,
): () => void {
  const { id, listeners } = thisRealm();
  const local: CompletionListener = (done, result) => {
    if (done === fingerprint) listener(result);
  };
  listeners.add(local);
  const channel = openChannel();
  if (channel) {
    channel.onmessage = (event: MessageEvent) => {
      const message = event.data as Partial<CompletedMessage> | null;
      if (message?.type === 'completed' && message.sender !== id && message.fingerprint === fingerprint)
        listener(message.result as UploadResult);
    };
  }
  return () => {
    listeners.delete(local);
    channel?.close();
  };
}
