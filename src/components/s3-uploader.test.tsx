// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { StrictMode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UploadError } from '../engine/errors';
import { createTestUploader, hiddenEtag, makeFile } from '../hooks/test-kit';
import { S3Uploader } from './s3-uploader';

function setup(props: Partial<Parameters<typeof S3Uploader>[0]> = {}, strict = false) {
  const kit = createTestUploader();
  const ui = <S3Uploader {...kit.options} {...props} />;
  const view = render(strict ? <StrictMode>{ui}</StrictMode> : ui);
  const input = view.container.querySelector('input[type="file"]') as HTMLInputElement;
  return { kit, view, input, user: userEvent.setup() };
}

const live = () => document.querySelector('[aria-live="polite"]') as HTMLElement;

// Vitest runs without globals, so Testing Library cannot register its own cleanup.
afterEach(cleanup);

describe('<S3Uploader>', () => {
  it('uploads files chosen with the picker, opened from the drop zone by keyboard', async () => {
    const { kit, input, user } = setup();
    const click = vi.spyOn(input, 'click');
    const zone = screen.getByRole('button', { name: 'Drop files here or choose files' });
    await user.tab();
    expect(document.activeElement).toBe(zone);
    await user.keyboard('{Enter}');
    await user.keyboard(' ');
    expect(click).toHaveBeenCalledTimes(2);

    await user.upload(input, [makeFile('a.bin'), makeFile('b.bin')]);
    const list = screen.getByRole('list', { name: 'Uploads' });
    await waitFor(() => expect(within(list).getAllByText('Uploaded')).toHaveLength(2));
    expect(kit.s3.objects.get('uploads/a.bin')?.length).toBe(3000);
    expect(live().textContent).toContain('a.bin uploaded.');
    expect(live().textContent).toContain('b.bin uploaded.');
  });

  it('uploads dropped files', async () => {
    const { kit } = setup();
    const zone = screen.getByRole('button', { name: /drop files/i });
    fireEvent.dragEnter(zone, { dataTransfer: { files: [] } });
    expect(zone.textContent).toBe('Drop to upload');
    fireEvent.drop(zone, { dataTransfer: { files: [makeFile('dropped.bin')] } });
    expect(zone.textContent).toBe('Drop files here or choose files');
    await waitFor(() => expect(screen.getByText('Uploaded')).toBeDefined());
    expect(kit.s3.objects.has('uploads/dropped.bin')).toBe(true);
  });

  it('shows progress with aria values, percent, and pauses/resumes/cancels by keyboard', async () => {
    const { kit, input, user } = setup();
    kit.hold();
    await user.upload(input, makeFile('photo.jpg', 3000));
    await waitFor(() => expect(kit.heldCount).toBe(3));
    act(() => kit.progress(0.5));

    const bar = screen.getByRole('progressbar', { name: 'Upload of photo.jpg' });
    expect(bar.getAttribute('aria-valuenow')).toBe('50');
    expect(bar.getAttribute('aria-valuemin')).toBe('0');
    expect(bar.getAttribute('aria-valuemax')).toBe('100');
    expect(bar.getAttribute('aria-valuetext')).toBe('50%, 1.5 kB of 3.0 kB');
    expect(screen.getByText('50%')).toBeDefined();

    screen.getByRole('button', { name: 'Pause photo.jpg' }).focus();
    await user.keyboard('{Enter}');
    expect(screen.getByText('Paused')).toBeDefined();
    // The pressed button keeps focus as it turns into Resume.
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Resume photo.jpg' }));
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));

    await user.keyboard(' ');
    expect(screen.getByText('Uploading')).toBeDefined();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Pause photo.jpg' }));

    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Cancel photo.jpg' }));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getByText('Cancelled')).toBeDefined());
    expect(kit.s3.calls).toContain('abort');

    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Remove photo.jpg' }));
    await user.keyboard('{Enter}');
    expect(screen.queryByRole('list')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: /drop files/i }));
  });

  it('says what is left behind when a cancelled upload could not be aborted on S3', async () => {
    const { kit, input, user } = setup();
    kit.hold();
    kit.s3.signer.abortMultipartUpload = async () => {
      throw new UploadError(
        'SIGNER_FAILED',
        'This S3 does not implement the operation; its parts stay on the store.',
      );
    };
    await user.upload(input, makeFile('left.bin', 3000));
    await waitFor(() => expect(kit.heldCount).toBe(3));
    await user.click(screen.getByRole('button', { name: 'Cancel left.bin' }));
    await waitFor(() => expect(screen.getByText('Cancelled')).toBeDefined());
    expect(within(screen.getByRole('list')).getByText(/its parts stay on the store/)).toBeDefined();
  });

  it('shows the ETAG_NOT_EXPOSED message, announces the failure, and retries by keyboard', async () => {
    const { kit, input, user } = setup();
    kit.s3.setFault(() => hiddenEtag);
    await user.upload(input, makeFile('a.bin'));
    await waitFor(() => expect(screen.getByText('Failed')).toBeDefined());
    expect(within(screen.getByRole('list')).getByText(/Add "ETag" to ExposeHeaders/)).toBeDefined();
    expect(live().textContent).toMatch(/^a\.bin failed: S3 accepted the part/);

    kit.s3.setFault(() => undefined);
    screen.getByRole('button', { name: 'Retry a.bin' }).focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getByText('Uploaded')).toBeDefined());
    expect(within(screen.getByRole('list')).queryByText(/ExposeHeaders/)).toBeNull();
  });

  it('starts one upload per file under StrictMode', async () => {
    const { kit, input, user } = setup({}, true);
    expect(kit.s3.calls).toEqual([]);
    await user.upload(input, makeFile('a.bin'));
    await waitFor(() => expect(screen.getByText('Uploaded')).toBeDefined());
    expect(kit.creates()).toBe(1);
    expect(kit.s3.puts).toHaveLength(3);
  });

  it('replaces strings through messages', async () => {
    const { kit, input, user } = setup({
      messages: {
        dropZone: 'Déposez vos fichiers',
        pause: 'Suspendre',
        pauseLabel: (name) => `Suspendre ${name}`,
        progressLabel: (name) => `Envoi de ${name}`,
        status: (status) => (status === 'uploading' ? 'Envoi' : status),
      },
    });
    expect(screen.getByRole('button', { name: 'Déposez vos fichiers' })).toBeDefined();
    kit.hold();
    await user.upload(input, makeFile('a.bin'));
    await waitFor(() => expect(screen.getByText('Envoi')).toBeDefined());
    expect(screen.getByRole('button', { name: 'Suspendre a.bin' }).textContent).toBe('Suspendre');
    expect(screen.getByRole('progressbar', { name: 'Envoi de a.bin' })).toBeDefined();
    expect(screen.getByRole('button', { name: 'Cancel a.bin' })).toBeDefined();
    kit.release();
  });
});
