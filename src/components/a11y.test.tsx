// @vitest-environment happy-dom
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestUploader, hiddenEtag, makeFile } from '../hooks/test-kit';
import { S3Uploader } from './s3-uploader';

afterEach(cleanup);

async function violations(container: HTMLElement) {
  const results = await axe.run(container, {
    // Needs real layout and painting, which happy-dom does not do: left to the browser e2e run.
    rules: { 'color-contrast': { enabled: false } },
  });
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('<S3Uploader> accessibility (axe-core)', () => {
  it('has no violations when idle, uploading and failed', async () => {
    const kit = createTestUploader();
    const { container } = render(<S3Uploader {...kit.options} />);
    const input = container.querySelector('input[type="file"]') as HTMLInputElement;
    const user = userEvent.setup();
    expect(await violations(container)).toEqual([]);

    kit.hold();
    await user.upload(input, [makeFile('a.bin'), makeFile('b.bin')]);
    await waitFor(() => expect(kit.heldCount).toBe(6));
    act(() => kit.progress(0.4));
    expect(screen.getAllByRole('progressbar')).toHaveLength(2);
    expect(await violations(container)).toEqual([]);

    kit.s3.setFault(() => hiddenEtag);
    kit.release();
    await waitFor(() => expect(screen.getAllByText('Failed')).toHaveLength(2));
    expect(await violations(container)).toEqual([]);
  });

  it('catches a violation (the check is live)', async () => {
    const { container } = render(
      <div>
        <button type="button" />
      </div>,
    );
    expect(await violations(container)).toEqual(['button-name: button']);
  });
});
