// <ProgressBar/>: the accessible bar of each upload (role progressbar, a spoken value).
import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, within } from 'storybook/test';
import { ProgressBar } from '../src/components/index';

const meta = {
  title: 'Uploader/Parts/ProgressBar',
  component: ProgressBar,
  args: { value: 0, label: 'Upload of photo.jpg', valueText: '0%, 0 B of 3.1 MB', tone: 'active' },
  argTypes: {
    value: { control: { type: 'range', min: 0, max: 100, step: 1 } },
    tone: { control: 'inline-radio', options: ['active', 'done', 'error'] },
  },
  decorators: [
    (Story) => (
      <div style={{ maxWidth: '30rem' }}>
        <Story />
      </div>
    ),
  ],
} satisfies Meta<typeof ProgressBar>;

export default meta;
type Story = StoryObj<typeof meta>;

export const Empty: Story = {
  play: async ({ canvasElement }) => {
    const bar = within(canvasElement).getByRole('progressbar', { name: 'Upload of photo.jpg' });
    await expect(bar).toHaveAttribute('aria-valuenow', '0');
    await expect(bar).toHaveAttribute('aria-valuemin', '0');
    await expect(bar).toHaveAttribute('aria-valuemax', '100');
  },
};

export const Partial: Story = {
  args: { value: 42.7, valueText: '42%, 1.3 MB of 3.1 MB' },
  play: async ({ canvasElement }) => {
    const bar = within(canvasElement).getByRole('progressbar');
    await expect(bar).toHaveAttribute('aria-valuenow', '42');
    await expect(bar).toHaveAttribute('aria-valuetext', '42%, 1.3 MB of 3.1 MB');
    await expect(bar.querySelector<HTMLElement>('.s3u-progress-bar')?.style.width).toBe('42.7%');
  },
};

export const Done: Story = {
  args: { value: 100, valueText: '100%, 3.1 MB of 3.1 MB', tone: 'done' },
};

export const Failed: Story = {
  args: { value: 30, valueText: '30%, 0.9 MB of 3.1 MB', tone: 'error' },
};

/** Out-of-range values are clamped to 0–100. */
export const Clamped: Story = {
  args: { value: 140, valueText: '100%' },
  play: async ({ canvasElement }) => {
    const bar = within(canvasElement).getByRole('progressbar');
    await expect(bar).toHaveAttribute('aria-valuenow', '100');
    await expect(bar.querySelector<HTMLElement>('.s3u-progress-bar')?.style.width).toBe('100%');
  },
};
