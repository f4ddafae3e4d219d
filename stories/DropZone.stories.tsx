// <DropZone/>: one native button that opens the picker (Enter, Space, click) and takes drops.
import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, fn, userEvent, waitFor, within } from 'storybook/test';
import { DropZone } from '../src/components/index';
import { makeFile } from './support/fixtures';
import { fileInput } from './support/play';

const meta = {
  title: 'Uploader/Parts/DropZone',
  component: DropZone,
  args: { onFiles: fn(), multiple: true, disabled: false },
} satisfies Meta<typeof DropZone>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Files chosen in the picker reach onFiles. */
export const Default: Story = {
  play: async ({ canvasElement, args }) => {
    const files = [makeFile('a.txt', 100), makeFile('b.txt', 200, 2)];
    await userEvent.upload(fileInput(canvasElement), files);
    await expect(args.onFiles).toHaveBeenCalledWith(files, undefined);
  },
};

/** Files dragged over it: the button says so; dropped files reach onFiles. */
export const DragOver: Story = {
  play: async ({ canvasElement, args }) => {
    const zone = within(canvasElement).getByRole('button', { name: 'Drop files here or choose files' });
    const file = makeFile('dropped.bin', 300);
    const dataTransfer = new DataTransfer();
    dataTransfer.items.add(file);
    // Real drag events: Testing Library's fireEvent would swap the DataTransfer for an empty one.
    const drag = (type: string, data: DataTransfer) =>
      zone.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    drag('dragenter', dataTransfer);
    await waitFor(() => expect(zone).toHaveTextContent('Drop to upload'));
    drag('drop', dataTransfer);
    await waitFor(() => expect(zone).toHaveTextContent('Drop files here or choose files'));
    await expect(args.onFiles).toHaveBeenCalledWith([file], undefined);
    // Left in the dragging state, for the picture.
    drag('dragenter', new DataTransfer());
    await waitFor(() => expect(zone).toHaveTextContent('Drop to upload'));
  },
};

/** Only the first of several files when `multiple` is false. */
export const Single: Story = {
  args: { multiple: false },
  play: async ({ canvasElement }) => {
    await expect(fileInput(canvasElement).multiple).toBe(false);
  },
};

export const Disabled: Story = {
  args: { disabled: true },
  play: async ({ canvasElement }) => {
    await expect(within(canvasElement).getByRole('button')).toBeDisabled();
  },
};
