// msw's service worker for the stories: started once per page, then each story installs its own
// handlers (a fresh mock S3) through the `withMockS3` loader.
import type { Parameters } from '@storybook/react-vite';
import type { RequestHandler } from 'msw';
import { type SetupWorker, setupWorker } from 'msw/browser';
import {
  ConcurrencyPool,
  createInMemoryUploadLocks,
  MemoryResumeStore,
  type NetworkStatus,
  type UploadLocks,
} from '../../src/engine/index';
import { createMockS3, type MockS3, type MockS3Options } from './mock-s3';

let worker: SetupWorker | null = null;
let started: Promise<unknown> | null = null;

/**
 * Where mockServiceWorker.js is served (.storybook/public, a Storybook static dir): next to
 * iframe.html in Storybook (also when the static build is served from a sub-path), at the root
 * under Vitest, whose test pages live under /__vitest_test__/.
 */
function workerUrl(): string {
  return import.meta.env.VITEST ? '/mockServiceWorker.js' : './mockServiceWorker.js';
}

/** Starts msw once; later calls wait for the same start. */
export async function startMsw(): Promise<SetupWorker> {
  worker ??= setupWorker();
  started ??= worker.start({
    serviceWorker: { url: workerUrl() },
    // Everything that is not the mock (Storybook's own modules, live mode) goes to the network.
    onUnhandledRequest: 'bypass',
    quiet: true,
  });
  await started;
  return worker;
}

/** Replaces the handlers of this page with `handlers` (none: msw lets every request through). */
export async function installHandlers(handlers: RequestHandler[]): Promise<void> {
  const w = await startMsw();
  w.resetHandlers(...handlers);
}

/** A network status the story switches (the engine pauses while offline, continues when back). */
export interface SwitchableNetwork extends NetworkStatus {
  set(online: boolean): void;
}

export function switchableNetwork(online = true): SwitchableNetwork {
  let current = online;
  const listeners = new Set<(online: boolean) => void>();
  return {
    isOnline: () => current,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(next) {
      if (next === current) return;
      current = next;
      for (const listener of [...listeners]) listener(next);
    },
  };
}

/**
 * What a story using `withMockS3` gets as `context.loaded`: the mock S3 + signer, and the
 * per-story objects the uploader must keep across renders (its resume store, locks, pool,
 * network status), so that no state leaks from one story into another.
 */
export interface MockLoaded {
  mock: MockS3;
  store: MemoryResumeStore;
  locks: UploadLocks;
  pool: ConcurrencyPool;
  network: SwitchableNetwork;
}

export interface MockSetup extends MockS3Options {
  /** Starts offline (default online). */
  offline?: boolean;
  /** Runs before the story renders: seed records, unfinished uploads, held locks. */
  prepare?(loaded: MockLoaded): Promise<void> | void;
}

/**
 * A loader giving each story a fresh mock S3 + signer served by msw, and its uploader's state, as
 * `context.loaded` (MockLoaded). The story's `parameters.mock` (MockSetup) says how it behaves.
 */
let current: MockS3 | null = null;

export async function mockS3Loader({ parameters }: { parameters: Parameters }): Promise<MockLoaded> {
  const setup: MockSetup = parameters.mock ?? {};
  current?.dispose();
  const loaded: MockLoaded = {
    mock: createMockS3(setup),
    store: new MemoryResumeStore(),
    locks: createInMemoryUploadLocks(),
    pool: new ConcurrencyPool(4),
    network: switchableNetwork(!setup.offline),
  };
  current = loaded.mock;
  await installHandlers(loaded.mock.handlers);
  await setup.prepare?.(loaded);
  return loaded;
}

/** `parameters` of a story whose mock behaves as `setup` says. */
export function mock(setup: MockSetup): { mock: MockSetup } {
  return { mock: setup };
}
