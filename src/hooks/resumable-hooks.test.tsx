// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { randomBytes } from '../../test/support/fake-s3';
import { gatedTransport, tabLocks } from '../../test/support/session-helpers';
import {
  createInMemoryUploadLocks,
  fingerprintFile,
  MemoryResumeStore,
  type RemoteUpload,
  type Signer,
} from '../engine/index';
import { resumeEnabled } from './resume-options';
import { createTestUploader, PART } from './test-kit';
import { useMultipartUpload } from './use-multipart-upload';
import { useRemoteResumableUploads } from './use-remote-resumable-uploads';
import { useResumableUploads } from './use-resumable-uploads';
import { useUploadQueue } from './use-upload-queue';

const PARTS = 10;

/** renderHook's wrapper: the QueryClient of the current test (set by `freshClient`). */
let testClient = new QueryClient();
function Wrapper({ children }: { children: ReactNode }) {
  return <QueryClientProvider client={testClient}>{children}</QueryClientProvider>;
}
const SIGNER_ID = 'test-signer';

/** The same file every time it is "picked": same bytes, name, type and date (same fingerprint). */
function pick(name = 'movie.bin', seed = 9): File {
  return new File([randomBytes(PARTS * PART - 10, seed)], name, {
    type: 'application/octet-stream',
    lastModified: 1_700_000_000_000,
  });
}

async function bytes(file: File) {
  return new Uint8Array(await file.arrayBuffer());
}

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('useMultipartUpload, resumable', () => {
  it('after a "reload" (unmount, new hook, same store) sends only the missing parts', async () => {
    const kit = createTestUploader();
    const store = new MemoryResumeStore();
    const shared = createInMemoryUploadLocks();
    const tabA = tabLocks(shared);
    const gate = gatedTransport(kit.s3.transport, 4);
    const first = renderHook(() =>
      useMultipartUpload({
        ...kit.options,
        transport: gate.transport,
        concurrency: 2,
        resume: { store, signerId: SIGNER_ID, locks: tabA },
      }),
    );
    act(() => {
      void first.result.current.start(pick());
    });
    await waitFor(() => expect(first.result.current.partsCompleted).toBe(4));
    expect(first.result.current).toMatchObject({
      status: 'uploading',
      fingerprint: await fingerprintFile(pick()),
      lockedElsewhere: false,
      resumed: false,
    });
    // The page goes away: its requests stop, its lock goes with it.
    act(() => first.result.current.pause());
    first.unmount();
    tabA.kill();
    const putsBefore = kit.s3.puts.length;

    const second = renderHook(() =>
      useMultipartUpload({ ...kit.options, resume: { store, signerId: SIGNER_ID, locks: tabLocks(shared) } }),
    );
    await act(() => second.result.current.start(pick()));
    expect(second.result.current).toMatchObject({ status: 'completed', resumed: true, notice: null });
    expect(kit.s3.puts.length - putsBefore).toBe(PARTS - 4);
    expect(kit.creates()).toBe(1);
    expect(kit.s3.objects.get('uploads/movie.bin')).toEqual(await bytes(pick()));
    expect(await store.list()).toEqual([]);
  });

  it('shows lockedElsewhere while another tab uploads the file, and takes over when it goes away', async () => {
    const kit = createTestUploader();
    const store = new MemoryResumeStore();
    const shared = createInMemoryUploadLocks();
    const tabA = tabLocks(shared);
    const gate = gatedTransport(kit.s3.transport, 3);
    const options = { ...kit.options, concurrency: 2 };
    const a = renderHook(() =>
      useMultipartUpload({
        ...options,
        transport: gate.transport,
        resume: { store, signerId: SIGNER_ID, locks: tabA },
      }),
    );
    act(() => {
      void a.result.current.start(pick());
    });
    await waitFor(() => expect(a.result.current.partsCompleted).toBe(3));
    const b = renderHook(() =>
      useMultipartUpload({ ...options, resume: { store, signerId: SIGNER_ID, locks: tabLocks(shared) } }),
    );
    let done: Promise<unknown> = Promise.resolve();
    act(() => {
      done = b.result.current.start(pick());
    });
    await waitFor(() => expect(b.result.current.lockedElsewhere).toBe(true));
    expect(b.result.current).toMatchObject({ status: 'preparing', upload: null });
    const putsWhileWaiting = kit.s3.puts.length;
    await act(() => new Promise((resolve) => setTimeout(resolve, 30)));
    expect(kit.s3.puts.length).toBe(putsWhileWaiting);

    act(() => a.result.current.pause());
    a.unmount();
    tabA.kill();
    await act(() => done);
    expect(b.result.current).toMatchObject({ status: 'completed', lockedElsewhere: false, resumed: true });
    expect(kit.s3.objects.get('uploads/movie.bin')).toEqual(await bytes(pick()));
  });

  it('is resumable by default in a browser with a signer URL, and not with a Signer object', () => {
    const kit = createTestUploader();
    expect(resumeEnabled({ signer: '/api/uploads' })).toBe(true);
    expect(resumeEnabled({ signer: '/api/uploads', resume: false })).toBe(false);
    expect(resumeEnabled({ signer: kit.s3.signer })).toBe(false);
    expect(resumeEnabled({ signer: kit.s3.signer, resume: true })).toBe(true);
  });
});

describe('useUploadQueue, resumable', () => {
  it('after a "reload" a re-added file continues from its stored parts', async () => {
    const kit = createTestUploader();
    const store = new MemoryResumeStore();
    const shared = createInMemoryUploadLocks();
    const tabA = tabLocks(shared);
    const gate = gatedTransport(kit.s3.transport, 6);
    const first = renderHook(() =>
      useUploadQueue({
        ...kit.options,
        transport: gate.transport,
        concurrency: 2,
        resume: { store, signerId: SIGNER_ID, locks: tabA },
      }),
    );
    act(() => {
      first.result.current.add([pick()]);
    });
    await waitFor(() => expect(first.result.current.items[0]?.partsCompleted).toBe(6));
    act(() => first.result.current.pauseAll());
    first.unmount();
    tabA.kill();
    const putsBefore = kit.s3.puts.length;

    const onComplete = vi.fn();
    const second = renderHook(() =>
      useUploadQueue({
        ...kit.options,
        onComplete,
        resume: { store, signerId: SIGNER_ID, locks: tabLocks(shared) },
      }),
    );
    act(() => {
      second.result.current.add([pick()]);
    });
    await waitFor(() => expect(second.result.current.items[0]?.status).toBe('completed'));
    expect(second.result.current.items[0]).toMatchObject({ resumed: true, lockedElsewhere: false });
    expect(kit.s3.puts.length - putsBefore).toBe(PARTS - 6);
    expect(onComplete).toHaveBeenCalledTimes(1);
  });

  it('a file waiting for another tab does not hold one of maxConcurrentUploads', async () => {
    const kit = createTestUploader();
    const store = new MemoryResumeStore();
    const shared = createInMemoryUploadLocks();
    const other = await shared.acquire(await fingerprintFile(pick('busy.bin', 1)));
    const { result } = renderHook(() =>
      useUploadQueue({
        ...kit.options,
        maxConcurrentUploads: 1,
        resume: { store, signerId: SIGNER_ID, locks: shared },
      }),
    );
    act(() => {
      result.current.add([pick('busy.bin', 1), pick('free.bin', 2)]);
    });
    await waitFor(() => expect(result.current.items[1]?.status).toBe('completed'));
    expect(result.current.items[0]).toMatchObject({ status: 'preparing', lockedElsewhere: true });
    other.release();
    await waitFor(() => expect(result.current.items[0]?.status).toBe('completed'));
  });
});

describe('useResumableUploads', () => {
  it('lists local records, follows changes and discards (aborted on S3)', async () => {
    const kit = createTestUploader();
    const store = new MemoryResumeStore();
    const shared = createInMemoryUploadLocks();
    const tabA = tabLocks(shared);
    const gate = gatedTransport(kit.s3.transport, 3);
    const { result } = renderHook(() => ({
      list: useResumableUploads({
        store,
        signer: kit.s3.signer,
        signerId: SIGNER_ID,
        locks: shared,
        pollMs: 20,
      }),
      upload: useMultipartUpload({
        ...kit.options,
        transport: gate.transport,
        concurrency: 1,
        resume: { store, signerId: SIGNER_ID, locks: tabA, flushIntervalMs: 0 },
      }),
    }));
    await waitFor(() => expect(result.current.list.loading).toBe(false));
    expect(result.current.list.uploads).toEqual([]);
    act(() => {
      void result.current.upload.start(pick());
    });
    await waitFor(() => expect(result.current.list.uploads[0]?.bytesUploaded).toBe(3 * PART));
    expect(result.current.list.uploads[0]).toMatchObject({
      name: 'movie.bin',
      size: PARTS * PART - 10,
      lockedElsewhere: true, // this page's own upload holds it
      hasHandle: false,
    });
    await expect(
      result.current.list.discard(result.current.list.uploads[0]?.id as string),
    ).rejects.toMatchObject({
      code: 'UPLOAD_IN_USE',
    });

    act(() => result.current.upload.pause());
    tabA.kill();
    await waitFor(() => expect(result.current.list.uploads[0]?.lockedElsewhere).toBe(false));
    const id = result.current.list.uploads[0]?.id as string;
    await act(async () => {
      await expect(result.current.list.discard(id)).resolves.toBe(true);
    });
    expect(kit.s3.calls).toContain('abort');
    expect(result.current.list.uploads).toEqual([]);
    expect(await store.get(id)).toBeUndefined();
  });

  it('lists nothing when disabled and needs a signer to discard', async () => {
    const { result } = renderHook(() =>
      useResumableUploads({ store: new MemoryResumeStore(), enabled: false }),
    );
    expect(result.current).toMatchObject({ uploads: [], loading: false });
    await expect(result.current.discard('x')).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });
});

describe('useRemoteResumableUploads (s3-multipart-uploader/query)', () => {
  function freshClient() {
    testClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    return { Wrapper };
  }

  it('lists the owner’s uploads through React Query and refetches when an upload completes or is discarded', async () => {
    const kit = createTestUploader();
    const store = new MemoryResumeStore();
    const remote: RemoteUpload[] = [
      { key: 'uploads/old.bin', uploadId: 'old', name: 'old.bin', initiated: 1 },
    ];
    const listUploads = vi.fn(async () => ({ uploads: [...remote] }));
    const abort = vi.spyOn(kit.s3.signer, 'abortMultipartUpload');
    const signer: Signer = { ...kit.s3.signer, listUploads };
    const { Wrapper } = freshClient();
    const { result } = renderHook(
      () => ({
        remote: useRemoteResumableUploads({ signer, signerId: SIGNER_ID, store, locks: false }),
        upload: useMultipartUpload({
          ...kit.options,
          signer,
          resume: { store, signerId: SIGNER_ID, locks: createInMemoryUploadLocks() },
        }),
      }),
      { wrapper: Wrapper },
    );
    await waitFor(() => expect(result.current.remote.uploads).toHaveLength(1));
    expect(result.current.remote.supported).toBe(true);
    expect(listUploads).toHaveBeenCalledTimes(1);

    await act(() => result.current.upload.start(pick()));
    await waitFor(() => expect(listUploads.mock.calls.length).toBeGreaterThanOrEqual(2));

    const calls = listUploads.mock.calls.length;
    remote.splice(0);
    await act(() => result.current.remote.discard({ key: 'uploads/old.bin', uploadId: 'old' }));
    expect(abort).toHaveBeenCalledWith({ key: 'uploads/old.bin', uploadId: 'old' });
    await waitFor(() => expect(listUploads.mock.calls.length).toBeGreaterThan(calls));
    await waitFor(() => expect(result.current.remote.uploads).toEqual([]));
  });

  it('stays disabled when the signer cannot list (a URL signer today)', async () => {
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    const { Wrapper } = freshClient();
    const { result } = renderHook(() => useRemoteResumableUploads({ signer: '/api/uploads' }), {
      wrapper: Wrapper,
    });
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
    expect(result.current).toMatchObject({ supported: false, uploads: [] });
    expect(result.current.query.fetchStatus).toBe('idle');
    expect(fetch).not.toHaveBeenCalled();
    vi.unstubAllGlobals();
  });
});
