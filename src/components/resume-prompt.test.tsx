// @vitest-environment happy-dom
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { randomBytes } from '../../test/support/fake-s3';
import { gatedTransport, tabLocks } from '../../test/support/session-helpers';
import {
  createInMemoryUploadLocks,
  createResumableSession,
  fingerprintFile,
  MemoryResumeStore,
  type UploadLocks,
} from '../engine/index';
import { createTestUploader, PART } from '../hooks/test-kit';
import { S3Uploader, type S3UploaderProps } from './s3-uploader';

const PARTS = 10;
const SIGNER_ID = 'test-signer';

function pick(name = 'movie.bin', seed = 9): File {
  return new File([randomBytes(PARTS * PART - 10, seed)], name, {
    type: 'application/octet-stream',
    lastModified: 1_700_000_000_000,
  });
}

type Kit = ReturnType<typeof createTestUploader>;

/** An upload that stopped after `parts` parts in a page that then went away. */
async function interrupted(
  kit: Kit,
  store: MemoryResumeStore,
  shared: UploadLocks,
  parts: number,
  handle?: unknown,
) {
  const tab = tabLocks(shared);
  const gate = gatedTransport(kit.s3.transport, parts);
  const session = createResumableSession({
    file: pick(),
    upload: { ...kit.options, transport: gate.transport, concurrency: 1 },
    resume: { store, signerId: SIGNER_ID, locks: tab, flushIntervalMs: 0 },
    ...(handle === undefined ? {} : { handle }),
  });
  void session.start();
  await waitFor(() => expect(session.getState().partsCompleted).toBe(parts));
  session.pause();
  await waitFor(async () => expect((await store.list())[0]?.parts).toHaveLength(parts));
  tab.kill();
}

function setup(props: Partial<S3UploaderProps> = {}) {
  const kit = createTestUploader();
  const store = new MemoryResumeStore();
  const shared = createInMemoryUploadLocks();
  const mount = () =>
    render(<S3Uploader {...kit.options} resume={{ store, signerId: SIGNER_ID, locks: shared }} {...props} />);
  return { kit, store, shared, mount, user: userEvent.setup() };
}

const live = () => document.querySelector('[aria-live="polite"]') as HTMLElement;
const promptInput = () => document.querySelector('input.s3u-resume-input') as HTMLInputElement;

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('<S3Uploader> unfinished uploads prompt', () => {
  it('lists an unfinished upload and resumes it by picking the same file again, refusing other files', async () => {
    const { kit, store, shared, mount, user } = setup();
    await interrupted(kit, store, shared, 4);
    mount();
    const region = await screen.findByRole('region', { name: 'You have 1 unfinished upload' });
    expect(within(region).getByText('movie.bin')).toBeDefined();
    expect(within(region).getByText('10 kB')).toBeDefined();
    expect(within(region).getByText('40% uploaded (4.1 kB of 10 kB)')).toBeDefined();
    expect(within(region).getByText('last active just now')).toBeDefined();

    const choose = within(region).getByRole('button', { name: 'Choose file again: movie.bin' });
    expect(choose.textContent).toBe('Choose file again');
    const click = vi.spyOn(promptInput(), 'click');
    await user.click(choose);
    expect(click).toHaveBeenCalledTimes(1);
    await user.upload(promptInput(), pick('other.bin', 3));
    expect((await within(region).findByRole('alert')).textContent).toBe(
      'other.bin is not movie.bin. Choose movie.bin, unchanged, to resume its upload.',
    );
    // Same name, other content: not the same file either.
    await user.click(choose);
    await user.upload(promptInput(), pick('movie.bin', 4));
    await waitFor(() =>
      expect(within(region).getByRole('alert').textContent).toMatch(/^This movie\.bin is not the file/),
    );
    expect(kit.creates()).toBe(1);

    const putsBefore = kit.s3.puts.length;
    await user.click(choose);
    await user.upload(promptInput(), pick());
    const list = await screen.findByRole('list', { name: 'Uploads' });
    await waitFor(() => expect(within(list).getByText('Uploaded')).toBeDefined());
    expect(kit.s3.puts.length - putsBefore).toBe(PARTS - 4);
    expect(kit.creates()).toBe(1);
    expect(kit.s3.objects.get('uploads/movie.bin')).toEqual(new Uint8Array(await pick().arrayBuffer()));
    await waitFor(() => expect(screen.queryByRole('region')).toBeNull());
    expect(document.activeElement?.className).toContain('s3u-dropzone');
  });

  it('discards an unfinished upload (aborted on S3), says so and hands focus to the drop zone', async () => {
    const { kit, store, shared, mount, user } = setup();
    await interrupted(kit, store, shared, 2);
    mount();
    const region = await screen.findByRole('region', { name: 'You have 1 unfinished upload' });
    const discard = within(region).getByRole('button', {
      name: 'Discard the unfinished upload of movie.bin',
    });
    discard.focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.queryByRole('region')).toBeNull());
    expect(kit.s3.calls).toContain('abort');
    expect(await store.list()).toEqual([]);
    expect(live().textContent).toContain('The unfinished upload of movie.bin was discarded.');
    // The prompt (and the focused button) is gone: focus must not fall back to <body>.
    await waitFor(() =>
      expect(document.activeElement).toBe(
        screen.getByRole('button', { name: 'Drop files here or choose files' }),
      ),
    );
  });

  it('names every prompt button with its visible text and the file (WCAG 2.5.3 Label in Name)', async () => {
    // axe's label-content-name-mismatch needs layout, which happy-dom lacks: check it directly.
    const { kit, store, shared, mount } = setup();
    await interrupted(kit, store, shared, 2);
    mount();
    const region = await screen.findByRole('region', { name: 'You have 1 unfinished upload' });
    const buttons = within(region).getAllByRole('button');
    expect(buttons.map((b) => b.dataset.action)).toEqual(['choose-again', 'discard']);
    for (const button of buttons) {
      const name = button.getAttribute('aria-label') ?? '';
      expect(name.toLowerCase()).toContain((button.textContent ?? '').toLowerCase());
      expect(name).toContain('movie.bin');
    }
  });

  it('shows why a discard failed, keeping the upload', async () => {
    const { kit, store, shared, mount, user } = setup();
    await interrupted(kit, store, shared, 2);
    vi.spyOn(kit.s3.signer, 'abortMultipartUpload').mockRejectedValue(new Error('signer down'));
    mount();
    const region = await screen.findByRole('region');
    await user.click(within(region).getByRole('button', { name: /^Discard/ }));
    expect((await within(region).findByRole('alert')).textContent).toMatch(
      /^The upload of movie\.bin could not be discarded: .*signer down/,
    );
    expect(await store.list()).toHaveLength(1);
  });

  it('resumes with one click where the file handle was kept (permission prompt, no picker)', async () => {
    const { kit, store, shared, mount, user } = setup();
    const requestPermission = vi.fn(async () => 'granted' as const);
    const handle = {
      kind: 'file',
      name: 'movie.bin',
      getFile: async () => pick(),
      queryPermission: async () => 'prompt' as const,
      requestPermission,
    };
    await interrupted(kit, store, shared, 3, handle);
    mount();
    const region = await screen.findByRole('region', { name: 'You have 1 unfinished upload' });
    const resume = within(region).getByRole('button', { name: 'Resume the upload of movie.bin' });
    expect(resume.textContent).toBe('Resume');
    const click = vi.spyOn(promptInput(), 'click');
    const putsBefore = kit.s3.puts.length;
    await user.click(resume);
    const list = await screen.findByRole('list', { name: 'Uploads' });
    await waitFor(() => expect(within(list).getByText('Uploaded')).toBeDefined());
    expect(requestPermission).toHaveBeenCalledWith({ mode: 'read' });
    expect(click).not.toHaveBeenCalled();
    expect(kit.s3.puts.length - putsBefore).toBe(PARTS - 3);
  });

  it('falls back to picking the file when permission to the kept file is refused', async () => {
    const { kit, store, shared, mount, user } = setup();
    const handle = {
      kind: 'file',
      getFile: async () => pick(),
      queryPermission: async () => 'prompt' as const,
      requestPermission: async () => 'denied' as const,
    };
    await interrupted(kit, store, shared, 3, handle);
    mount();
    const region = await screen.findByRole('region');
    await user.click(within(region).getByRole('button', { name: 'Resume the upload of movie.bin' }));
    expect((await within(region).findByRole('alert')).textContent).toBe(
      'Permission to read movie.bin was not given. Choose the file again to resume.',
    );
    expect(within(region).getByRole('button', { name: 'Choose file again: movie.bin' })).toBeDefined();
  });

  it('shows an upload another tab is running, without actions; a re-dropped copy waits for it', async () => {
    const { kit, store, shared, mount, user } = setup();
    await interrupted(kit, store, shared, 2);
    const other = await shared.acquire(await fingerprintFile(pick()));
    const view = mount();
    const region = await screen.findByRole('region');
    expect(within(region).getByText('Uploading in another tab')).toBeDefined();
    expect(within(region).queryAllByRole('button')).toEqual([]);

    const input = view.container.querySelector('input.s3u-file-input') as HTMLInputElement;
    await user.upload(input, pick());
    const list = await screen.findByRole('list', { name: 'Uploads' });
    await waitFor(() => expect(within(list).getByText('Uploading in another tab')).toBeDefined());
    expect(within(list).queryByRole('button', { name: /^Pause/ })).toBeNull();
    expect(within(list).getByRole('button', { name: 'Cancel movie.bin' })).toBeDefined();
    // The prompt leaves out what the list shows.
    expect(screen.queryByRole('region')).toBeNull();
    act(() => other.release());
    await waitFor(() => expect(within(list).getByText('Uploaded')).toBeDefined());
  });

  it('takes replaced strings and has no axe violations', async () => {
    const { kit, store, shared, mount } = setup({
      messages: {
        unfinishedTitle: (n) => `${n} envoi(s) inachevé(s)`,
        discard: 'Abandonner',
        discardLabel: (name) => `Abandonner l'envoi de ${name}`,
      },
    });
    await interrupted(kit, store, shared, 2);
    const view = mount();
    const region = await screen.findByRole('region', { name: '1 envoi(s) inachevé(s)' });
    const discard = within(region).getByRole('button', { name: "Abandonner l'envoi de movie.bin" });
    expect(discard.textContent).toBe('Abandonner');
    const results = await axe.run(view.container, { rules: { 'color-contrast': { enabled: false } } });
    expect(results.violations.map((v) => v.id)).toEqual([]);
  });

  it('picks through showOpenFilePicker where available and keeps the handle with the record', async () => {
    // happy-dom says navigator.webdriver: the default would keep the input, as under Playwright.
    const { kit, store, mount, user } = setup({ useFileSystemAccess: true });
    const handle = { kind: 'file', name: 'movie.bin', getFile: async () => pick() };
    const show = vi.fn(async () => [handle]);
    vi.stubGlobal('showOpenFilePicker', show);
    try {
      kit.hold();
      mount();
      await user.click(screen.getByRole('button', { name: 'Drop files here or choose files' }));
      expect(show).toHaveBeenCalledWith({ multiple: true });
      await waitFor(async () => expect((await store.list())[0]?.handle).toBe(handle));
      kit.release();
      await waitFor(() => expect(screen.getByText('Uploaded')).toBeDefined());
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('shows no prompt when uploads are not resumable', async () => {
    const { kit, store, shared } = setup();
    await interrupted(kit, store, shared, 2);
    render(<S3Uploader {...kit.options} />);
    await act(() => new Promise((resolve) => setTimeout(resolve, 30)));
    expect(screen.queryByRole('region')).toBeNull();
  });
});
