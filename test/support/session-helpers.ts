// Helpers for the resumable-session, hook and prompt tests: simulated tabs over shared locks,
// and a transport that lets a given number of PUTs through and holds the rest.

import { type Transport, TransportFailure } from '../../src/engine/types';
import type { UploadLock, UploadLocks } from '../../src/engine/upload-lock';

/**
 * The locks of one simulated tab over a lock space shared by "tabs" (e.g. createInMemoryUploadLocks):
 * `kill()` releases what it holds and drops its waits, as a browser does when a tab goes away.
 */
export function tabLocks(shared: UploadLocks): UploadLocks & { kill(): void } {
  const held = new Set<UploadLock>();
  const waits = new Set<AbortController>();
  const track = (lock: UploadLock): UploadLock => {
    if (!lock.acquired) return lock;
    held.add(lock);
    return {
      ...lock,
      release() {
        held.delete(lock);
        lock.release();
      },
    };
  };
  const linked = (signal: AbortSignal | undefined) => {
    const controller = new AbortController();
    if (signal?.aborted) controller.abort(signal.reason);
    signal?.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
    waits.add(controller);
    return controller;
  };
  return {
    async acquire(fingerprint, options = {}) {
      return track(await shared.acquire(fingerprint, options));
    },
    async wait(fingerprint, options = {}) {
      const controller = linked(options.signal);
      try {
        return track(await shared.wait(fingerprint, { signal: controller.signal }));
      } finally {
        waits.delete(controller);
      }
    },
    held: () => shared.held(),
    kill() {
      for (const controller of [...waits]) controller.abort(new DOMException('tab closed', 'AbortError'));
      for (const lock of [...held]) lock.release();
      held.clear();
    },
  };
}

/**
 * Lets `allow` PUTs through to `inner` and holds every later one (a page stuck mid-upload, or
 * one that is about to die); `open()` sends the held ones on and lets everything through from
 * then on. A held request fails when it is aborted.
 */
export function gatedTransport(inner: Transport, allow: number) {
  let passed = 0;
  let open = false;
  const held: Array<() => void> = [];
  const transport: Transport = (request) => {
    if (open || passed < allow) {
      passed += 1;
      return inner(request);
    }
    return new Promise((resolve, reject) => {
      const go = () => {
        request.signal.removeEventListener('abort', abort);
        passed += 1;
        inner(request).then(resolve, reject);
      };
      const abort = () => {
        const index = held.indexOf(go);
        if (index >= 0) held.splice(index, 1);
        reject(new TransportFailure('aborted', 'aborted'));
      };
      if (request.signal.aborted) {
        abort();
        return;
      }
      held.push(go);
      request.signal.addEventListener('abort', abort, { once: true });
    });
  };
  return {
    transport,
    /** PUTs that reached `inner`. */
    get passed() {
      return passed;
    },
    get heldCount() {
      return held.length;
    },
    open() {
      open = true;
      for (const go of held.splice(0)) go();
    },
  };
}
