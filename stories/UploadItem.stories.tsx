// <UploadItem/>, one file's row, in every status: plain props (an UploadState snapshot and spied
// handlers), no engine and no network.
import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, fn, userEvent, within } from 'storybook/test';
import { UploadItem } from '../src/components/index';
import { etagNotExposedError } from '../src/engine/errors';
import { classifyPutResponse, type UploadState } from '../src/engine/index';
import { initialState } from '../src/engine/upload-state';

const MB = 1_000_000;
const SIZE = 48 * MB;

function state(fields: Partial<UploadState>): UploadState {
  const base = initialState(SIZE);
  const bytesUploaded = fields.bytesUploaded ?? Math.round(((fields.percent ?? 0) / 100) * SIZE);
  return { ...base, partSize: 8 * 1024 * 1024, partsTotal: 6, bytesUploaded, ...fields };
}

/** A real engine error: S3's answer to a PUT with a denied signature, as the engine classifies it. */
function s3Refusal() {
  const outcome = classifyPutResponse(
    {
      status: 403,
      header: () => null,
      body: '<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message></Error>',
    },
    Date.now(),
  );
  if (outcome.kind !== 'fail') throw new Error('expected a failure');
  return outcome.error;
}

const meta = {
  title: 'Uploader/Parts/UploadItem',
  component: UploadItem,
  args: {
    name: 'holiday-video.mov',
    state: state({ status: 'idle' }),
    onPause: fn(),
    onResume: fn(),
    onCancel: fn(),
    onRetry: fn(),
    onRemove: fn(),
  },
  // An item is a list item: shown in a list, as UploadList renders it.
  decorators: [
    (Story) => (
      <ul aria-label="Uploads" style={{ listStyle: 'none', margin: 0, padding: 0, maxWidth: '36rem' }}>
        <Story />
      </ul>
    ),
  ],
} satisfies Meta<typeof UploadItem>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Queued behind other files ("Waiting"): it can be cancelled. */
export const Waiting: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByText('Waiting')).toBeVisible();
    await expect(canvas.getByRole('button', { name: 'Cancel holiday-video.mov' })).toBeVisible();
    await expect(canvas.queryByRole('button', { name: /Pause/ })).toBeNull();
  },
};

export const Preparing: Story = { args: { state: state({ status: 'preparing' }) } };

/** Under way: progress with its spoken value, speed and time left; Pause calls onPause. */
export const Uploading: Story = {
  args: {
    state: state({ status: 'uploading', percent: 42.7, partsCompleted: 2, speed: 3.2 * MB, etaSeconds: 8.6 }),
  },
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    const bar = canvas.getByRole('progressbar', { name: 'Upload of holiday-video.mov' });
    await expect(bar).toHaveAttribute('aria-valuenow', '42');
    await expect(bar).toHaveAttribute('aria-valuetext', '42%, 20 MB of 48 MB');
    await expect(canvas.getByText('42%')).toBeVisible();
    await expect(canvas.getByText('3.2 MB/s')).toBeVisible();
    await expect(canvas.getByText('9 s left')).toBeVisible();
    await userEvent.click(canvas.getByRole('button', { name: 'Pause holiday-video.mov' }));
    await expect(args.onPause).toHaveBeenCalledTimes(1);
  },
};

export const Paused: Story = {
  args: { state: state({ status: 'paused', percent: 42.7, partsCompleted: 2 }) },
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByText('Paused')).toBeVisible();
    canvas.getByRole('button', { name: 'Resume holiday-video.mov' }).focus();
    await userEvent.keyboard('{Enter}');
    await expect(args.onResume).toHaveBeenCalledTimes(1);
  },
};

export const Offline: Story = {
  args: { state: state({ status: 'offline', percent: 61, partsCompleted: 3 }) },
  play: async ({ canvasElement }) => {
    await expect(within(canvasElement).getByText('Offline, waiting for the network')).toBeVisible();
  },
};

export const Finishing: Story = { args: { state: state({ status: 'completing', percent: 100 }) } };

export const Uploaded: Story = {
  args: { state: state({ status: 'completed', percent: 100, partsCompleted: 6 }) },
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByRole('progressbar')).toHaveAttribute('data-tone', 'done');
    await userEvent.click(canvas.getByRole('button', { name: 'Remove holiday-video.mov' }));
    await expect(args.onRemove).toHaveBeenCalledTimes(1);
    await expect(canvas.queryByRole('button', { name: /Cancel/ })).toBeNull();
  },
};

/** While cancelling, the button stays focusable but does nothing (aria-disabled). */
export const Cancelling: Story = {
  args: { state: state({ status: 'cancelling', percent: 30 }) },
  play: async ({ canvasElement, args }) => {
    const cancel = within(canvasElement).getByRole('button', { name: 'Cancel holiday-video.mov' });
    await expect(cancel).toHaveAttribute('aria-disabled', 'true');
    await userEvent.click(cancel);
    await expect(args.onCancel).not.toHaveBeenCalled();
  },
};

export const Cancelled: Story = { args: { state: state({ status: 'cancelled', percent: 30 }) } };

/** Failed: the engine's message, and Retry. */
export const Failed: Story = {
  args: { state: state({ status: 'error', percent: 30, error: s3Refusal() }) },
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByText('Failed')).toBeVisible();
    await expect(canvas.getByText(/^S3 refused the upload \(HTTP 403 SignatureDoesNotMatch/)).toBeVisible();
    await userEvent.click(canvas.getByRole('button', { name: 'Retry holiday-video.mov' }));
    await expect(args.onRetry).toHaveBeenCalledTimes(1);
  },
};

/** A long message (the bucket's CORS hides ETag) wraps inside the row. */
export const FailedWithLongMessage: Story = {
  args: {
    name: 'a-very-long-file-name-from-a-camera-IMG_20240612_183455.HEIC',
    state: state({ status: 'error', error: etagNotExposedError() }),
  },
};

/** Another tab uploads this file: this one waits; only Cancel is offered. */
export const LockedElsewhere: Story = {
  args: { state: state({ status: 'preparing' }), lockedElsewhere: true },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByText('Uploading in another tab')).toBeVisible();
    await expect(canvas.queryByRole('button', { name: /Pause/ })).toBeNull();
    await expect(canvas.getByRole('button', { name: 'Cancel holiday-video.mov' })).toBeVisible();
  },
};

/** Resumed from an earlier upload: the engine's notice under the file. */
export const ResumedWithNotice: Story = {
  args: {
    state: state({ status: 'uploading', percent: 67, partsCompleted: 4, speed: 2.1 * MB, etaSeconds: 7 }),
    notice: 'Continuing the upload started elsewhere: 4 parts already on S3.',
  },
};
