// Global story settings: axe (addon-a11y) fails a story test on any violation, and a toolbar
// switch between mocked mode (msw, no server) and live mode (stories/README.md).
import type { Preview } from '@storybook/react-vite';

const preview: Preview = {
  parameters: {
    layout: 'padded',
    // 'error': a violation fails the story's test (Vitest addon), not just a panel entry.
    a11y: { test: 'error' },
  },
  globalTypes: {
    uploaderMode: {
      description: 'Where the uploader stories send files',
      toolbar: {
        title: 'Mode',
        icon: 'transfer',
        items: [
          { value: 'mocked', title: 'Mocked (msw, no server)' },
          { value: 'live', title: 'Live (local stack)' },
        ],
        dynamicTitle: true,
      },
    },
  },
  initialGlobals: { uploaderMode: 'mocked' },
};

export default preview;
