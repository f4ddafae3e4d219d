// <S3Uploader/> in each state, driven the way a person drives it (file picker, keyboard).
//
// Mocked mode, every story here except Live: the real engine (HTTP signer over fetch, XHR
// transport) against msw's in-browser mock of the signer + S3 (support/mock-s3.ts); no server.
// Deterministic states come from the mock (parts held unanswered, faults) and injected props
// (an offline network status, a memory resume store seeded with unfinished uploads), not timing.
import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { S3Uploader, type S3UploaderProps } from '../src/components/index';
import { makeFile, mockedProps, PART } from './support/fixtures';
import { LiveNotConfigured, liveConfig, liveProps } from './support/live';
import { MOCK_SIGNER_URL, s3Error } from './support/mock-s3';
import { type MockLoaded, mock, mockS3Loader } from './support/msw';
import { fileInput, liveRegion, pick, press, row, waitForStatus } from './support/play';
import { lockElsewhere, seedUnfinished } from './support/seed';

const meta = {
  title: 'Uploader/S3Uploader',
  component: S3Uploader,
  // `signer` is replaced by the mock's (or the live stack's); these are the props worth playing with.
  args: { signer: MOCK_SIGNER_URL, multiple: true, disabled: false, unstyled: false },
  parameters: {
    controls: { include: ['multiple', 'disabled', 'unstyled', 'accept', 'maxConcurrentUploads'] },
  },
  loaders: [mockS3Loader],
  render: (args, { loaded }) => (
    <S3Uploader {...mockedProps(loaded as MockLoaded)} {...withoutSigner(args)} />
  ),
} satisfies Meta<typeof S3Uploader>;

export default meta;
type Story = StoryObj<typeof meta>;

function withoutSigner(args: S3UploaderProps): Partial<S3UploaderProps> {
  const { signer: _signer, ...rest } = args;
  return rest;
}

const mocked = (loaded: unknown) => loaded as MockLoaded;
const TEN_PARTS = 10 * PART;

/** Nothing chosen yet. Follows the toolbar's Mode: mocked (msw) or live (the local stack). */
export const Idle: Story = {
  render: (args, { loaded, globals }) => {
    if (globals.uploaderMode !== 'live')
      return <S3Uploader {...mockedProps(mocked(loaded))} {...withoutSigner(args)} />;
    const config = liveConfig();
    return config ? <S3Uploader {...liveProps(config)} {...withoutSigner(args)} /> : <LiveNotConfigured />;
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByRole('button', { name: 'Drop files here or choose files' })).toBeEnabled();
    await expect(canvas.queryByRole('list', { name: 'Uploads' })).toBeNull();
    await expect(fileInput(canvasElement).multiple).toBe(true);
  },
};

/** Two files chosen in the picker upload in parts and are announced when done. */
export const PickFiles: Story = {
  play: async ({ canvasElement, loaded }) => {
    const { mock: s3 } = mocked(loaded);
    await pick(canvasElement, makeFile('report.pdf', TEN_PARTS), makeFile('photo.jpg', 3 * PART + 100, 2));
    await waitForStatus(canvasElement, 'report.pdf', 'Uploaded');
    await waitForStatus(canvasElement, 'photo.jpg', 'Uploaded');
    const bar = within(await row(canvasElement, 'report.pdf')).getByRole('progressbar', {
      name: 'Upload of report.pdf',
    });
    await expect(bar).toHaveAttribute('aria-valuenow', '100');
    await expect(bar).toHaveAttribute('aria-valuetext', '100%, 10 kB of 10 kB');
    await expect([...s3.objects.values()].sort((a, b) => a - b)).toEqual([3 * PART + 100, TEN_PARTS]);
    await expect(s3.puts).toHaveLength(10 + 4);
    await waitFor(() => expect(liveRegion(canvasElement)).toHaveTextContent('report.pdf uploaded.'));
    await expect(liveRegion(canvasElement)).toHaveTextContent('photo.jpg uploaded.');
  },
};

/** Four parts of ten stored, two more on their way (the mock S3 holds its answer): 40 %. */
export const Uploading: Story = {
  parameters: mock({ put: ({ partNumber }) => (partNumber > 4 ? 'hold' : undefined) }),
  play: async ({ canvasElement, loaded }) => {
    const { mock: s3 } = mocked(loaded);
    await pick(canvasElement, makeFile('holiday-video.mov', TEN_PARTS));
    const item = await waitForStatus(canvasElement, 'holiday-video.mov', 'Uploading');
    await waitFor(() => expect(s3.heldCount).toBe(2));
    const bar = within(item).getByRole('progressbar', { name: 'Upload of holiday-video.mov' });
    // Bytes of parts still in flight do not count here: msw's worker takes the whole body before
    // answering, so the browser reports no upload progress for them (a real S3 would).
    await waitFor(() => expect(bar).toHaveAttribute('aria-valuetext', '40%, 4.1 kB of 10 kB'));
    await expect(bar).toHaveAttribute('aria-valuenow', '40');
    await expect(within(item).getByText('40%')).toBeVisible();
    await expect(within(item).getByRole('button', { name: 'Pause holiday-video.mov' })).toBeVisible();
    await expect(within(item).getByRole('button', { name: 'Cancel holiday-video.mov' })).toBeVisible();
  },
};

/** Paused from the keyboard: the Pause button turns into Resume and keeps the focus. */
export const Paused: Story = {
  parameters: mock({ put: ({ partNumber }) => (partNumber > 4 ? 'hold' : undefined) }),
  play: async ({ canvasElement, loaded }) => {
    const { mock: s3 } = mocked(loaded);
    await pick(canvasElement, makeFile('holiday-video.mov', TEN_PARTS));
    const item = await waitForStatus(canvasElement, 'holiday-video.mov', 'Uploading');
    await waitFor(() => expect(s3.heldCount).toBe(2));
    await press(within(item).getByRole('button', { name: 'Pause holiday-video.mov' }));
    await waitForStatus(canvasElement, 'holiday-video.mov', 'Paused');
    await expect(document.activeElement).toBe(
      within(item).getByRole('button', { name: 'Resume holiday-video.mov' }),
    );
  },
};

/** Pause with Enter, resume with Space, then the upload finishes. */
export const PauseAndResumeByKeyboard: Story = {
  parameters: mock({ put: ({ partNumber }) => (partNumber > 4 ? 'hold' : undefined) }),
  play: async ({ canvasElement, loaded }) => {
    const { mock: s3 } = mocked(loaded);
    await pick(canvasElement, makeFile('holiday-video.mov', TEN_PARTS));
    const item = await waitForStatus(canvasElement, 'holiday-video.mov', 'Uploading');
    await waitFor(() => expect(s3.heldCount).toBe(2));

    await press(within(item).getByRole('button', { name: 'Pause holiday-video.mov' }), '{Enter}');
    await waitForStatus(canvasElement, 'holiday-video.mov', 'Paused');
    const resume = within(item).getByRole('button', { name: 'Resume holiday-video.mov' });
    await expect(document.activeElement).toBe(resume);

    s3.release();
    await userEvent.keyboard(' ');
    await waitForStatus(canvasElement, 'holiday-video.mov', 'Uploaded');
    await expect(s3.objects.get(s3.puts[0]?.key ?? '')).toBe(TEN_PARTS);
  },
};

/** Cancelled from the keyboard (aborted on S3), then removed: focus goes back to the drop zone. */
export const Cancel: Story = {
  parameters: mock({ put: ({ partNumber }) => (partNumber > 4 ? 'hold' : undefined) }),
  play: async ({ canvasElement, loaded }) => {
    const { mock: s3 } = mocked(loaded);
    const canvas = within(canvasElement);
    await pick(canvasElement, makeFile('holiday-video.mov', TEN_PARTS));
    const item = await waitForStatus(canvasElement, 'holiday-video.mov', 'Uploading');
    await waitFor(() => expect(s3.heldCount).toBe(2));

    within(item).getByRole('button', { name: 'Pause holiday-video.mov' }).focus();
    await userEvent.tab();
    await expect(document.activeElement).toBe(
      within(item).getByRole('button', { name: 'Cancel holiday-video.mov' }),
    );
    await userEvent.keyboard('{Enter}');
    await waitForStatus(canvasElement, 'holiday-video.mov', 'Cancelled');
    await waitFor(() => expect(s3.calls).toContain('abort'));
    await expect(s3.uploads.size).toBe(0);

    const remove = within(item).getByRole('button', { name: 'Remove holiday-video.mov' });
    await expect(document.activeElement).toBe(remove);
    await userEvent.keyboard('{Enter}');
    await expect(canvas.queryByRole('list', { name: 'Uploads' })).toBeNull();
    await expect(document.activeElement).toBe(
      canvas.getByRole('button', { name: 'Drop files here or choose files' }),
    );
  },
};

/** The browser is offline (an injected network status): the upload waits for the network. */
export const Offline: Story = {
  parameters: mock({ offline: true }),
  play: async ({ canvasElement, loaded }) => {
    const { mock: s3 } = mocked(loaded);
    await pick(canvasElement, makeFile('holiday-video.mov', TEN_PARTS));
    const item = await waitForStatus(canvasElement, 'holiday-video.mov', 'Offline, waiting for the network');
    await expect(within(item).getByRole('button', { name: 'Pause holiday-video.mov' })).toBeVisible();
    await expect(s3.puts).toHaveLength(0);
  },
};

/** Offline, then the network comes back: the upload continues by itself. */
export const BackOnline: Story = {
  parameters: mock({ offline: true }),
  play: async ({ canvasElement, loaded }) => {
    const { network } = mocked(loaded);
    await pick(canvasElement, makeFile('holiday-video.mov', TEN_PARTS));
    await waitForStatus(canvasElement, 'holiday-video.mov', 'Offline, waiting for the network');
    network.set(true);
    await waitForStatus(canvasElement, 'holiday-video.mov', 'Uploaded');
  },
};

/** S3 refuses the parts; after the cause is fixed, Retry (keyboard) finishes the upload. */
export const RetryAfterError: Story = {
  parameters: mock({ put: () => s3Error(403, 'AccessDenied', 'Access Denied') }),
  play: async ({ canvasElement, loaded }) => {
    const { mock: s3 } = mocked(loaded);
    await pick(canvasElement, makeFile('report.pdf', 4 * PART));
    const item = await waitForStatus(canvasElement, 'report.pdf', 'Failed');
    const error = item.querySelector('.s3u-item-error');
    await expect(error).toHaveTextContent(
      "S3 refused the upload (HTTP 403 AccessDenied: Access Denied). Check the bucket's policy, CORS and the signer's credentials.",
    );
    await waitFor(() =>
      expect(liveRegion(canvasElement)).toHaveTextContent(/report\.pdf failed: S3 refused/),
    );

    s3.setPut(undefined);
    const retry = within(item).getByRole('button', { name: 'Retry report.pdf' });
    await press(retry);
    await waitForStatus(canvasElement, 'report.pdf', 'Uploaded');
    await expect(item.querySelector('.s3u-item-error')).toBeNull();
  },
};

const MANY = Array.from({ length: 12 }, (_, i) =>
  makeFile(`scan-${String(i + 1).padStart(2, '0')}.tiff`, (2 + (i % 4)) * PART + 17 * i, i + 1),
);

/**
 * Twelve files, three at a time: the first three are uploaded, the next three are under way
 * (S3 holds their third parts), the other six wait their turn.
 */
export const ManyFiles: Story = {
  args: { maxConcurrentUploads: 3 },
  parameters: mock({
    put: ({ key, partNumber }) => (partNumber >= 3 && !/scan-0[1-3]/.test(key) ? 'hold' : undefined),
  }),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await pick(canvasElement, ...MANY);
    const list = await canvas.findByRole('list', { name: 'Uploads' });
    await waitFor(() => expect(within(list).getAllByText('Uploaded')).toHaveLength(3), { timeout: 15_000 });
    await waitFor(() => expect(within(list).getAllByText('Uploading')).toHaveLength(3));
    await expect(within(list).getAllByText('Waiting')).toHaveLength(6);
    await expect(within(list).getAllByRole('listitem')).toHaveLength(12);
  },
};

/**
 * Unfinished uploads from an earlier visit (records in the story's resume store, parts on the
 * mock S3): one can be resumed or discarded, the other is running in another tab.
 */
export const UnfinishedUploads: Story = {
  parameters: mock({
    async prepare(loaded) {
      await seedUnfinished(loaded, makeFile('holiday-video.mov', TEN_PARTS, 5), 4, 2);
      await lockElsewhere(loaded, await seedUnfinished(loaded, makeFile('backup.tar', 8 * PART, 6), 6, 0));
    },
  }),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const region = await canvas.findByRole('region', { name: 'You have 2 unfinished uploads' });
    const prompt = within(region);
    await expect(prompt.getByText('40% uploaded (4.1 kB of 10 kB)')).toBeVisible();
    await expect(prompt.getByText('last active 2 h ago')).toBeVisible();
    await expect(prompt.getByRole('button', { name: 'Choose file again: holiday-video.mov' })).toBeVisible();
    await expect(
      prompt.getByRole('button', { name: 'Discard the unfinished upload of holiday-video.mov' }),
    ).toBeVisible();
    await expect(prompt.getByText('Uploading in another tab')).toBeVisible();
    await expect(prompt.queryByRole('button', { name: /backup\.tar/ })).toBeNull();
  },
};

/** Resuming an unfinished upload: the same file, chosen again, sends only the missing parts. */
export const ResumeUnfinished: Story = {
  parameters: mock({
    async prepare(loaded) {
      await seedUnfinished(loaded, makeFile('holiday-video.mov', TEN_PARTS, 5), 4);
    },
  }),
  play: async ({ canvasElement, loaded }) => {
    const { mock: s3 } = mocked(loaded);
    const canvas = within(canvasElement);
    const region = await canvas.findByRole('region', { name: 'You have 1 unfinished upload' });
    await press(within(region).getByRole('button', { name: 'Choose file again: holiday-video.mov' }));
    await userEvent.upload(
      fileInput(canvasElement, 's3u-resume-input'),
      makeFile('holiday-video.mov', TEN_PARTS, 5),
    );
    await waitForStatus(canvasElement, 'holiday-video.mov', 'Uploaded');
    await expect(s3.puts.map((p) => p.partNumber).sort((a, b) => a - b)).toEqual([5, 6, 7, 8, 9, 10]);
    await expect(s3.calls).not.toContain('create');
    await waitFor(() => expect(canvas.queryByRole('region')).toBeNull());
  },
};

/**
 * Discarding an unfinished upload aborts it on S3, removes the prompt and says so; the keyboard
 * focus, on the Discard button that went away, moves to the drop zone.
 */
export const DiscardUnfinished: Story = {
  parameters: mock({
    async prepare(loaded) {
      await seedUnfinished(loaded, makeFile('holiday-video.mov', TEN_PARTS, 5), 4);
    },
  }),
  play: async ({ canvasElement, loaded }) => {
    const { mock: s3, store } = mocked(loaded);
    const canvas = within(canvasElement);
    const region = await canvas.findByRole('region', { name: 'You have 1 unfinished upload' });
    await press(
      within(region).getByRole('button', { name: 'Discard the unfinished upload of holiday-video.mov' }),
    );
    await waitFor(() => expect(canvas.queryByRole('region')).toBeNull());
    await expect(s3.calls).toContain('abort');
    await expect(s3.uploads.size).toBe(0);
    await expect(await store.list()).toEqual([]);
    await waitFor(() =>
      expect(liveRegion(canvasElement)).toHaveTextContent(
        'The unfinished upload of holiday-video.mov was discarded.',
      ),
    );
    const dropZone = canvas.getByRole('button', { name: 'Drop files here or choose files' });
    await waitFor(() => expect(document.activeElement).toBe(dropZone));
  },
};

/**
 * Live mode, whatever the toolbar says: the local stack of `npm start` through Storybook's proxy
 * (stories/README.md). Not a test: CI has no stack running.
 */
export const Live: Story = {
  tags: ['!test'],
  render: (args) => {
    const config = liveConfig();
    return config ? <S3Uploader {...liveProps(config)} {...withoutSigner(args)} /> : <LiveNotConfigured />;
  },
};
