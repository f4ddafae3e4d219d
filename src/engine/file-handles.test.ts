import { afterEach, describe, expect, it, vi } from 'vitest';
import { randomBytes } from '../../test/support/fake-s3';
import {
  acceptToPickerTypes,
  type FileHandleLike,
  handlesFromDrop,
  isAutomatedBrowser,
  matchesRecord,
  pickFilesWithHandles,
  reopenRecordedFile,
  supportsFileSystemAccess,
} from './file-handles';
import { fingerprintFile } from './fingerprint';

const file = () =>
  new File([randomBytes(5000, 3)], 'clip.mov', { type: 'video/quicktime', lastModified: 1_700_000_000_000 });

function handle(
  options: { query?: PermissionState; request?: PermissionState; file?: () => Promise<File> } = {},
) {
  const calls: string[] = [];
  const h: FileHandleLike = {
    kind: 'file',
    name: 'clip.mov',
    getFile: options.file ?? (async () => file()),
    async queryPermission() {
      calls.push('query');
      return options.query ?? 'granted';
    },
    async requestPermission() {
      calls.push('request');
      return options.request ?? 'granted';
    },
  };
  return { h, calls };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('reopenRecordedFile', () => {
  it('asks for permission when needed and returns the same file', async () => {
    const id = await fingerprintFile(file());
    const { h, calls } = handle({ query: 'prompt', request: 'granted' });
    const reopened = await reopenRecordedFile({ id, handle: h });
    expect(reopened.ok).toBe(true);
    expect(calls).toEqual(['query', 'request']);
    const granted = handle();
    expect((await reopenRecordedFile({ id, handle: granted.h })).ok).toBe(true);
    expect(granted.calls).toEqual(['query']);
  });

  it('says why it could not: no handle, denied, unreadable, changed', async () => {
    const id = await fingerprintFile(file());
    expect(await reopenRecordedFile({ id })).toEqual({ ok: false, reason: 'no-handle' });
    expect(await reopenRecordedFile({ id, handle: { kind: 'file' } })).toEqual({
      ok: false,
      reason: 'no-handle',
    });
    expect(
      await reopenRecordedFile({ id, handle: handle({ query: 'prompt', request: 'denied' }).h }),
    ).toEqual({
      ok: false,
      reason: 'denied',
    });
    const gone = handle({ file: () => Promise.reject(new DOMException('gone', 'NotFoundError')) });
    expect(await reopenRecordedFile({ id, handle: gone.h })).toMatchObject({
      ok: false,
      reason: 'unreadable',
    });
    const edited = handle({
      file: async () =>
        new File([randomBytes(5000, 4)], 'clip.mov', { type: 'video/quicktime', lastModified: 1 }),
    });
    expect(await reopenRecordedFile({ id, handle: edited.h })).toEqual({ ok: false, reason: 'changed' });
  });
});

describe('matchesRecord', () => {
  it('matches by fingerprint only', async () => {
    const id = await fingerprintFile(file());
    expect(await matchesRecord(file(), { id })).toBe(true);
    expect(await matchesRecord(new File([randomBytes(5000, 3)], 'other.mov'), { id })).toBe(false);
  });
});

describe('pickers', () => {
  it('turns an accept attribute into picker types', () => {
    expect(acceptToPickerTypes(undefined)).toBeUndefined();
    expect(acceptToPickerTypes(' ')).toBeUndefined();
    expect(acceptToPickerTypes('image/*, .pdf,video/mp4,.MOV')).toEqual([
      { accept: { 'image/*': [], 'application/octet-stream': ['.pdf', '.MOV'], 'video/mp4': [] } },
    ]);
  });

  it('uses showOpenFilePicker where it exists: handles, [] when closed, null when refused or missing', async () => {
    expect(supportsFileSystemAccess()).toBe(false);
    expect(await pickFilesWithHandles()).toBeNull();
    const { h } = handle();
    const show = vi.fn(async () => [h]);
    vi.stubGlobal('showOpenFilePicker', show);
    expect(supportsFileSystemAccess()).toBe(true);
    const picked = await pickFilesWithHandles({ multiple: true, accept: '.mov' });
    expect(picked?.map((p) => [p.file.name, p.handle])).toEqual([['clip.mov', h]]);
    expect(show).toHaveBeenCalledWith({
      multiple: true,
      types: [{ accept: { 'application/octet-stream': ['.mov'] } }],
    });
    show.mockRejectedValueOnce(new DOMException('closed', 'AbortError'));
    expect(await pickFilesWithHandles()).toEqual([]);
    show.mockRejectedValueOnce(new DOMException('cross-origin frame', 'SecurityError'));
    expect(await pickFilesWithHandles()).toBeNull();
    // Playwright / Puppeteer intercept file choosers and abort this picker: use the input instead.
    show.mockRejectedValueOnce(
      new DOMException(
        "Failed to execute 'showOpenFilePicker' on 'Window': Intercepted by Page.setInterceptFileChooserDialog().",
        'AbortError',
      ),
    );
    expect(await pickFilesWithHandles()).toBeNull();
    expect(isAutomatedBrowser()).toBe(false);
    vi.stubGlobal('navigator', { webdriver: true });
    expect(isAutomatedBrowser()).toBe(true);
  });

  it('reads handles of dropped files in order, null where there is none', async () => {
    const { h } = handle();
    const items = [
      { kind: 'string' },
      { kind: 'file', getAsFileSystemHandle: async () => h },
      { kind: 'file', getAsFileSystemHandle: async () => ({ kind: 'directory' }) },
      { kind: 'file' },
    ];
    const handles = await handlesFromDrop({ items } as unknown as DataTransfer);
    expect(handles).toEqual([h, null, null]);
    expect(await handlesFromDrop(undefined)).toEqual([]);
  });
});
