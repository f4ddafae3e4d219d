// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Upload } from '../engine/index';
import { createTestUploader, hiddenEtag, makeFile } from './test-kit';
import { useMultipartUpload } from './use-multipart-upload';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('useMultipartUpload', () => {
  it('is idle until start, then reports progress and the result', async () => {
    const kit = createTestUploader();
    const { result } = renderHook(() => useMultipartUpload(kit.options));
    expect(result.current).toMatchObject({ status: 'idle', percent: 0, upload: null, error: null });

    kit.hold();
    let settled: Promise<unknown> = Promise.resolve();
    act(() => {
      settled = result.current.start(makeFile('a.bin', 3000));
    });
    await waitFor(() => expect(kit.heldCount).toBe(3));
    act(() => kit.progress(0.5));
    expect(result.current).toMatchObject({ status: 'uploading', bytesTotal: 3000, bytesUploaded: 1500 });
    expect(result.current.percent).toBe(50);

    act(() => kit.release());
    await waitFor(() => expect(result.current.status).toBe('completed'));
    await expect(settled).resolves.toMatchObject({ key: 'uploads/a.bin', size: 3000, partCount: 3 });
    expect(result.current.result?.key).toBe('uploads/a.bin');
    expect(result.current.partsCompleted).toBe(3);
  });

  it('does not start anything on mount, and StrictMode does not start two uploads', async () => {
    const kit = createTestUploader();
    const { result } = renderHook(() => useMultipartUpload(kit.options), { wrapper: StrictMode });
    expect(kit.s3.calls).toEqual([]);
    act(() => {
      void result.current.start(makeFile('a.bin'));
    });
    await waitFor(() => expect(result.current.status).toBe('completed'));
    expect(kit.creates()).toBe(1);
    expect(kit.s3.puts).toHaveLength(3);
  });

  it('pauses, resumes, fails on a hidden ETag and retries', async () => {
    const kit = createTestUploader();
    const { result } = renderHook(() => useMultipartUpload(kit.options));
    kit.hold();
    act(() => {
      void result.current.start(makeFile('a.bin'));
    });
    await waitFor(() => expect(result.current.status).toBe('uploading'));
    act(() => result.current.pause());
    expect(result.current.status).toBe('paused');
    // Let the aborted requests unwind first: the engine stalls on a resume in the same tick (reported).
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    act(() => result.current.resume());
    expect(result.current.status).toBe('uploading');

    kit.s3.setFault(() => hiddenEtag);
    act(() => kit.release());
    await waitFor(() => expect(result.current.status).toBe('error'));
    expect(result.current.error?.code).toBe('ETAG_NOT_EXPOSED');

    kit.s3.setFault(() => undefined);
    act(() => result.current.retry());
    await waitFor(() => expect(result.current.status).toBe('completed'));
  });

  it('cancels (aborting on S3) and refuses a second start while one is running', async () => {
    const kit = createTestUploader();
    const { result } = renderHook(() => useMultipartUpload(kit.options));
    kit.hold();
    act(() => {
      void result.current.start(makeFile('a.bin'));
    });
    await waitFor(() => expect(result.current.status).toBe('uploading'));
    await expect(result.current.start(makeFile('b.bin'))).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await act(() => result.current.cancel());
    expect(result.current.status).toBe('cancelled');
    expect(kit.s3.calls).toContain('abort');
  });

  it('unsubscribes on unmount and leaves the upload running', async () => {
    let active = 0;
    const subscribe = Upload.prototype.subscribe;
    vi.spyOn(Upload.prototype, 'subscribe').mockImplementation(function (this: Upload, listener) {
      active += 1;
      const unsubscribe = subscribe.call(this, listener);
      return () => {
        active -= 1;
        unsubscribe();
      };
    });
    const kit = createTestUploader();
    const { result, unmount } = renderHook(() => useMultipartUpload(kit.options));
    kit.hold();
    act(() => {
      void result.current.start(makeFile('a.bin'));
    });
    await waitFor(() => expect(kit.heldCount).toBe(3));
    expect(active).toBe(1);
    const upload = result.current.upload as Upload;

    unmount();
    expect(active).toBe(0);
    expect(upload.getState().status).toBe('uploading');
    kit.release();
    await waitFor(() => expect(upload.getState().status).toBe('completed'));
  });

  it('signs through an HTTP signer at a URL with the bearer token', async () => {
    const fetch = vi.fn(async (url: string, init: RequestInit) => {
      void url;
      void init;
      return new Response(
        JSON.stringify({
          key: 'k',
          url: `fake://s3/single/a.bin?expires=${Date.now() + 60_000}`,
          expiresAt: Date.now() + 60_000,
        }),
        { status: 200, headers: { 'content-type': 'application/json' } },
      );
    });
    vi.stubGlobal('fetch', fetch);
    const kit = createTestUploader();
    const { result } = renderHook(() =>
      useMultipartUpload({
        ...kit.options,
        signer: 'https://signer.test/api/',
        token: 'secret',
        singlePutThreshold: 1e6,
      }),
    );
    await act(() => result.current.start(makeFile('a.bin', 10)));
    expect(result.current.status).toBe('completed');
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe('https://signer.test/api/single');
    expect(new Headers(init?.headers).get('authorization')).toBe('Bearer secret');
  });
});
