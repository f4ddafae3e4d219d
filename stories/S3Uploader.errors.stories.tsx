// <S3Uploader/> failing with each UploadErrorCode, with the message the engine really gives.
//
// Mocked mode (msw, support/mock-s3.ts): each story makes the mock signer or S3 answer as a real
// one does when that goes wrong (or passes the props that cause it), picks a file, and checks the
// text shown, the announcement, the error code handed to `onError` and the Retry button. No
// message is written here: they all come from src/engine.
import type { Meta, StoryObj } from '@storybook/react-vite';
import { HttpResponse } from 'msw';
import { expect, fn, waitFor, within } from 'storybook/test';
import { S3Uploader, type S3UploaderProps } from '../src/components/index';
import type { UploadErrorCode } from '../src/engine/index';
import { makeFile, mockedProps, PART, unreadableFile } from './support/fixtures';
import { MOCK_SIGNER_URL, s3Error, signerError } from './support/mock-s3';
import { type MockLoaded, type MockSetup, mock, mockS3Loader } from './support/msw';
import { liveRegion, pick, press, waitForStatus } from './support/play';
import { seedUnfinished } from './support/seed';

const meta = {
  title: 'Uploader/S3Uploader/Errors',
  component: S3Uploader,
  args: { signer: MOCK_SIGNER_URL, onError: fn() },
  parameters: { controls: { disable: true } },
  loaders: [mockS3Loader],
  render: (args, { loaded, parameters }) => {
    const { signer: _signer, ...rest } = args;
    return <S3Uploader {...mockedProps(loaded as MockLoaded)} {...parameters.uploader} {...rest} />;
  },
} satisfies Meta<typeof S3Uploader>;

export default meta;
type Story = StoryObj<typeof meta>;

interface ErrorCase {
  /** How the mock signer / S3 behave. */
  mock?: MockSetup;
  /** Props that cause the error. */
  props?: Partial<S3UploaderProps>;
  file?: File;
  /** The engine's message (exact, or a pattern where it quotes the browser's words). */
  message: string | RegExp;
}

const FILE = 'report.pdf';
const SIGNER = `${MOCK_SIGNER_URL}/multipart`;
const internalError = () =>
  s3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');

/**
 * Every code, so that a new one does not go unnoticed (tsc fails until it is listed): a case
 * the stories below show, or why no story of <S3Uploader/> can.
 */
const CASES: Record<UploadErrorCode, ErrorCase | { noStory: string }> = {
  FILE_TOO_LARGE: {
    props: { limits: { minPartSize: PART, maxPartSize: PART, maxParts: 4 } },
    message:
      'The file is 10240 bytes but the store accepts at most 4096 bytes in one object (4 parts of 1024 bytes). Split the file or raise the store limits.',
  },
  INVALID_OPTIONS: {
    props: { partSize: 512 },
    message: "partSize 512 is outside the store's limits (1024–1048576 bytes); choose a size in that range.",
  },
  SIGNER_UNREACHABLE: {
    // Every signer call fails at the network level (the signer is down).
    mock: {
      signer: Object.fromEntries(
        ['find', 'create', 'sign', 'list', 'complete', 'abort'].map((op) => [op, () => HttpResponse.error()]),
      ),
    },
    message: new RegExp(
      `^Could not reach the signer at ${SIGNER} \\(.+\\)\\. Check that the signer is running at that address and that its CORS settings allow this origin\\.$`,
    ),
  },
  SIGNER_BAD_RESPONSE: {
    // A web server answering the app's HTML page instead of the signer (a wrong URL).
    mock: {
      signer: {
        create: () => HttpResponse.html('<!doctype html><html><head><title>My app</title></head></html>'),
      },
    },
    message: new RegExp(
      `^The signer at ${SIGNER} answered HTTP 200 with something that is not JSON \\(.*\\); expected the JSON of docs/protocol\\.md\\.`,
    ),
  },
  SIGNER_REJECTED: {
    props: { token: 'expired-session-token' },
    message: `The signer did not accept your credentials; sign in again. (signer: HTTP 401 UNAUTHENTICATED from POST ${SIGNER})`,
  },
  SIGNER_FAILED: {
    mock: {
      signer: { create: () => signerError(500, 'INTERNAL', 'The signer failed unexpectedly; retry later.') },
    },
    message: `The signer failed: The signer failed unexpectedly; retry later. (signer: HTTP 500 INTERNAL from POST ${SIGNER})`,
  },
  ETAG_NOT_EXPOSED: {
    // 200 without a readable ETag: a bucket whose CORS does not expose it.
    mock: { put: () => new HttpResponse(null, { status: 200 }) },
    message:
      'S3 accepted the part but the browser cannot read its ETag header. Add "ETag" to ExposeHeaders in the bucket\'s CORS configuration (see docs/setup.md), then retry.',
  },
  S3_NETWORK_ERROR: {
    noStory:
      'declared in src/engine/errors.ts but raised nowhere in src/engine: a PUT that cannot be sent is retried as a network error and ends as RETRIES_EXHAUSTED (see that story).',
  },
  S3_REJECTED: {
    mock: { put: () => s3Error(403, 'AccessDenied', 'Access Denied') },
    message:
      "S3 refused the upload (HTTP 403 AccessDenied: Access Denied). Check the bucket's policy, CORS and the signer's credentials.",
  },
  RETRIES_EXHAUSTED: {
    mock: { put: internalError },
    message:
      /^Part \d+ kept failing \(HTTP 500 InternalError: We encountered an internal error\. Please try again\.\) after 3 attempts\. Check the network and retry; the parts already stored are kept\.$/,
  },
  UPLOAD_NOT_FOUND: {
    // The multipart upload was aborted (or expired by a lifecycle rule) meanwhile.
    mock: { put: () => s3Error(404, 'NoSuchUpload', 'The specified upload does not exist.') },
    message:
      'The multipart upload no longer exists on S3 (it was aborted or expired by a lifecycle rule), nor do its parts. Retry to upload the file again from the start.',
  },
  FILE_UNREADABLE: {
    // The file was changed or deleted on disk after it was chosen; the PUT fails, so the engine
    // checks whether the file can still be read. (Not resumable: fingerprinting would read it first.)
    file: unreadableFile(FILE),
    props: { resume: false },
    mock: { put: () => 'network' },
    message:
      /^The file can no longer be read \(The requested file could not be read, typically due to permission problems that have occurred after a reference to a file was acquired\.\)\. It was probably changed, moved or deleted since the upload started; choose it again to start a new upload\.$/,
  },
  UPLOAD_IN_USE: {
    noStory:
      'raised when discarding an unfinished upload another tab is running: the UploadInUse story below.',
  },
  INTEGRITY_MISMATCH: {
    // S3 reports an object of another size than the file's.
    mock: { completed: (object) => ({ ...object, size: object.size + 1 }) },
    message: 'S3 stored 10241 bytes but the file has 10240. Upload the file again.',
  },
  CANCELLED: { noStory: 'not a failure: the upload shows "Cancelled" (S3Uploader › Cancel).' },
};

function errorStory(code: UploadErrorCode): Story {
  const errorCase = CASES[code];
  if ('noStory' in errorCase) throw new Error(`${code} has no story: ${errorCase.noStory}`);
  const { message, file = makeFile(FILE, 10 * PART) } = errorCase;
  return {
    name: code,
    parameters: { ...mock(errorCase.mock ?? {}), uploader: errorCase.props ?? {} },
    play: async ({ canvasElement, args }) => {
      await pick(canvasElement, file);
      const item = await waitForStatus(canvasElement, FILE, 'Failed');
      const text = item.querySelector('.s3u-item-error')?.textContent ?? '';
      if (typeof message === 'string') await expect(text).toBe(message);
      else await expect(text).toMatch(message);
      await waitFor(() => expect(liveRegion(canvasElement)).toHaveTextContent(`${FILE} failed: ${text}`));
      await expect(args.onError).toHaveBeenCalledWith(
        expect.objectContaining({ code, message: text }),
        file,
        expect.any(String),
      );
      await expect(within(item).getByRole('button', { name: `Retry ${FILE}` })).toBeVisible();
    },
  };
}

export const FileTooLarge = errorStory('FILE_TOO_LARGE');
export const InvalidOptions = errorStory('INVALID_OPTIONS');
export const SignerUnreachable = errorStory('SIGNER_UNREACHABLE');
export const SignerBadResponse = errorStory('SIGNER_BAD_RESPONSE');
export const SignerRejected = errorStory('SIGNER_REJECTED');
export const SignerFailed = errorStory('SIGNER_FAILED');
export const EtagNotExposed = errorStory('ETAG_NOT_EXPOSED');
export const S3Rejected = errorStory('S3_REJECTED');
export const RetriesExhausted = errorStory('RETRIES_EXHAUSTED');
export const UploadNotFound = errorStory('UPLOAD_NOT_FOUND');
export const FileUnreadable = errorStory('FILE_UNREADABLE');
export const IntegrityMismatch = errorStory('INTEGRITY_MISMATCH');

/**
 * UPLOAD_IN_USE: discarding an unfinished upload that another tab has just started (it took the
 * upload's lock after the prompt was listed) is refused, and the prompt says why.
 */
export const UploadInUse: Story = {
  name: 'UPLOAD_IN_USE',
  parameters: mock({
    async prepare(loaded) {
      await seedUnfinished(loaded, makeFile('holiday-video.mov', 10 * PART, 5), 4);
    },
  }),
  play: async ({ canvasElement, loaded }) => {
    const { locks, store } = loaded as MockLoaded;
    const region = await within(canvasElement).findByRole('region', { name: 'You have 1 unfinished upload' });
    const [record] = await store.list();
    if (!record) throw new Error('no seeded record');
    await locks.acquire(record.id); // another tab starts uploading it
    await press(
      within(region).getByRole('button', { name: 'Discard the unfinished upload of holiday-video.mov' }),
    );
    await expect(await within(region).findByRole('alert')).toHaveTextContent(
      'The upload of holiday-video.mov could not be discarded: This upload is running in another tab or window: stop it there (or close that tab) to discard it.',
    );
    await expect(await store.list()).toHaveLength(1);
  },
};
