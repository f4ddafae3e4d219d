// Helpers for the play functions: what a person does (pick files, press keys) and sees.
import { expect, userEvent, waitFor, within } from 'storybook/test';

/** The uploader's (hidden) file input, as the drop zone's picker fills it. */
export function fileInput(root: HTMLElement, className = 's3u-file-input'): HTMLInputElement {
  const input = root.querySelector<HTMLInputElement>(`input.${className}`);
  if (!input) throw new Error(`no input.${className} in the story`);
  return input;
}

/** Chooses `files` in the uploader's file picker. */
export async function pick(root: HTMLElement, ...files: File[]): Promise<void> {
  await userEvent.upload(fileInput(root), files);
}

/** The uploader's live region (what screen readers announce). */
export function liveRegion(root: HTMLElement): HTMLElement {
  const region = root.querySelector<HTMLElement>('.s3u-live');
  if (!region) throw new Error('no .s3u-live region in the story');
  return region;
}

/** The row of `name` in the list of uploads. */
export async function row(root: HTMLElement, name: string): Promise<HTMLElement> {
  const list = await within(root).findByRole('list', { name: 'Uploads' });
  const item = within(list)
    .getAllByRole('listitem')
    .find((li) => li.querySelector('.s3u-item-name')?.textContent === name);
  if (!item) throw new Error(`no upload of ${name} in the list`);
  return item;
}

/** Waits until the row of `name` shows `status` (the visible status text). */
export async function waitForStatus(root: HTMLElement, name: string, status: string, timeout = 10_000) {
  await waitFor(
    async () => {
      const item = await row(root, name);
      await expect(item.querySelector('.s3u-item-status')?.textContent).toBe(status);
    },
    { timeout },
  );
  return row(root, name);
}

/** Focuses `button` and presses `key` on it, as a keyboard user does. */
export async function press(button: HTMLElement, key: '{Enter}' | ' ' = '{Enter}'): Promise<void> {
  button.focus();
  await userEvent.keyboard(key);
}
