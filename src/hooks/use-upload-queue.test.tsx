// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestUploader, hiddenEtag, makeFile } from './test-kit';
import { useUploadQueue } from './use-upload-queue';

const statuses = (items: readonly { status: string }[]) => items.map((item) => item.status);

// Vitest runs without globals, so Testing Library cannot register its own cleanup.
afterEach(cleanup);

describe('useUploadQueue', () => {
  it('starts files up to maxConcurrentUploads and reports overall progress', async () => {
    const kit = createTestUploader();
    const { result } = renderHook(() => useUploadQueue({ ...kit.options, maxConcurrentUploads: 2 }), {
      wrapper: StrictMode,
    });
    kit.hold();
    act(() => {
      result.current.add([makeFile('a.bin', 2048), makeFile('b.bin', 2048), makeFile('c.bin', 2048)]);
    });
    expect(statuses(result.current.items)).toEqual(['preparing', 'preparing', 'idle']);
    expect(result.current.bytesTotal).toBe(3 * 2048);

    await waitFor(() => expect(kit.heldCount).toBe(4));
    act(() => kit.progress(0.5));
    expect(result.current.bytesUploaded).toBe(2048);
    expect(result.current.percent).toBeCloseTo(100 / 3);
    expect(result.current.isUploading).toBe(true);

    act(() => kit.release());
    await waitFor(() =>
      expect(statuses(result.current.items)).toEqual(['completed', 'completed', 'completed']),
    );
    expect(result.current.percent).toBe(100);
    expect(result.current.isUploading).toBe(false);
    expect(kit.creates()).toBe(3);
  });

  it('by default starts 3 multipart files at once, and up to 12 files small enough for one PUT', async () => {
    const kit = createTestUploader();
    kit.hold();
    const small = renderHook(() => useUploadQueue({ ...kit.options, singlePutThreshold: 4096 }));
    act(() => {
      small.result.current.add(Array.from({ length: 14 }, (_, i) => makeFile(`s${i}.bin`, 2048)));
    });
    const smallStatuses = statuses(small.result.current.items);
    expect(smallStatuses.filter((s) => s !== 'idle')).toHaveLength(12);

    const large = renderHook(() => useUploadQueue(kit.options)); // the kit sends everything as parts
    act(() => {
      large.result.current.add(Array.from({ length: 5 }, (_, i) => makeFile(`l${i}.bin`, 2048)));
    });
    expect(statuses(large.result.current.items)).toEqual([
      'preparing',
      'preparing',
      'preparing',
      'idle',
      'idle',
    ]);
    act(() => kit.release());
    await waitFor(() =>
      expect(
        statuses([...small.result.current.items, ...large.result.current.items]).every(
          (s) => s === 'completed',
        ),
      ).toBe(true),
    );
  });

  it('caps parts in flight with maxConcurrentParts (its own pool)', async () => {
    const kit = createTestUploader();
    const { pool: _shared, ...options } = kit.options;
    const { result } = renderHook(() =>
      useUploadQueue({ ...options, maxConcurrentParts: 2, maxConcurrentUploads: 3, concurrency: 4 }),
    );
    act(() => {
      result.current.add([makeFile('a.bin', 5000), makeFile('b.bin', 5000), makeFile('c.bin', 5000)]);
    });
    await waitFor(() =>
      expect(statuses(result.current.items)).toEqual(['completed', 'completed', 'completed']),
    );
    expect(kit.peakInFlight).toBe(2);
  });

  it('pauseAll holds waiting files, resumeAll continues, remove cancels on S3', async () => {
    const kit = createTestUploader();
    const { result } = renderHook(() => useUploadQueue({ ...kit.options, maxConcurrentUploads: 1 }));
    kit.hold();
    let ids: string[] = [];
    act(() => {
      ids = result.current.add([makeFile('a.bin'), makeFile('b.bin')]);
    });
    await waitFor(() => expect(kit.heldCount).toBe(3));
    act(() => result.current.pauseAll());
    expect(statuses(result.current.items)).toEqual(['paused', 'idle']);

    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    act(() => result.current.resumeAll());
    expect(statuses(result.current.items)).toEqual(['uploading', 'idle']);

    act(() => result.current.remove(ids[0] as string));
    await waitFor(() => expect(kit.s3.calls).toContain('abort'));
    expect(result.current.items.map((item) => item.file.name)).toEqual(['b.bin']);
    expect(result.current.items[0]?.status).not.toBe('idle');
    kit.release();
    await waitFor(() => expect(result.current.items[0]?.status).toBe('completed'));
  });

  it('calls onComplete and onError, and retries a failed file', async () => {
    const kit = createTestUploader();
    const onComplete = vi.fn();
    const onError = vi.fn();
    const { result } = renderHook(() => useUploadQueue({ ...kit.options, onComplete, onError }));
    kit.s3.setFault(() => hiddenEtag);
    act(() => {
      result.current.add([makeFile('a.bin')]);
    });
    await waitFor(() => expect(onError).toHaveBeenCalledOnce());
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: 'ETAG_NOT_EXPOSED' });
    expect(onError.mock.calls[0]?.[1].name).toBe('a.bin');

    kit.s3.setFault(() => undefined);
    act(() => result.current.items[0]?.retry());
    await waitFor(() => expect(onComplete).toHaveBeenCalledOnce());
    expect(onComplete.mock.calls[0]?.[0]).toMatchObject({ key: 'uploads/a.bin', size: 3000 });
  });

  it('cancelAll cancels every unfinished file; cancellation is not an error', async () => {
    const kit = createTestUploader();
    const onError = vi.fn();
    const { result } = renderHook(() => useUploadQueue({ ...kit.options, onError, maxConcurrentUploads: 1 }));
    kit.hold();
    act(() => {
      result.current.add([makeFile('a.bin'), makeFile('b.bin')]);
    });
    await act(() => result.current.cancelAll());
    expect(statuses(result.current.items)).toEqual(['cancelled', 'cancelled']);
    expect(onError).not.toHaveBeenCalled();
  });

  it('unsubscribes React on unmount while the files keep uploading', async () => {
    const kit = createTestUploader();
    let renders = 0;
    const { result, unmount } = renderHook(() => {
      renders += 1;
      return useUploadQueue({ ...kit.options, maxConcurrentUploads: 1 });
    });
    kit.hold();
    act(() => {
      result.current.add([makeFile('a.bin'), makeFile('b.bin')]);
    });
    await waitFor(() => expect(kit.heldCount).toBe(3));
    const [first, second] = result.current.items;
    unmount();
    const rendersAtUnmount = renders;
    kit.release();
    await waitFor(() => expect(second?.upload?.getState().status).toBe('completed'));
    expect(first?.upload?.getState().status).toBe('completed');
    expect(renders).toBe(rendersAtUnmount);
  });
});
