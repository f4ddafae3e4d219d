// Storybook 10 (React + Vite). `npm run storybook` serves it on 127.0.0.1:6006,
// `npm run build-storybook` writes storybook-static/, `npm run test:stories` runs every story's
// play function and axe check in Debian's Chromium (vitest.config.ts, project "storybook").
import type { StorybookConfig } from '@storybook/react-vite';
import react from '@vitejs/plugin-react';
import type { ProxyOptions } from 'vite';

const config: StorybookConfig = {
  framework: { name: '@storybook/react-vite', options: {} },
  stories: ['../stories/**/*.stories.@(ts|tsx)'],
  addons: ['@storybook/addon-a11y', '@storybook/addon-vitest'],
  // mockServiceWorker.js (msw's service worker, `npx msw init .storybook/public --no-save`).
  staticDirs: ['./public'],
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
  async viteFinal(vite) {
    const { mergeConfig } = await import('vite');
    return mergeConfig(vite, {
      plugins: [react()],
      // Live mode (stories/README.md): the local stack of `npm start`, proxied so that the
      // signer and S3 see same-origin requests whatever origin their CORS allows.
      server: { proxy: liveProxy(process.env) },
    });
  },
};

export default config;

// Live mode: Storybook's dev server forwards /__live/signer/* to the signer and /__live/s3/* to
// S3, so the stories reach the stack of `npm start` (or any signer + S3) as same-origin requests:
// their CORS rules, which allow the playground's origin, never see Storybook's. The Origin header
// is dropped on the way (a server-to-server call, like the CLI's); Host becomes the target's, so
// presigned URLs keep their signatures.

export const LIVE_SIGNER_PATH = '/__live/signer';
export const LIVE_S3_PATH = '/__live/s3';

function target(url: string, variable: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new Error(`${variable} must be an absolute http(s) URL, got "${url}".`);
  }
}

/** Proxy rules for STORYBOOK_LIVE_SIGNER and STORYBOOK_LIVE_S3, when both are set. */
export function liveProxy(env: NodeJS.ProcessEnv): Record<string, ProxyOptions> {
  const signer = env.STORYBOOK_LIVE_SIGNER?.trim();
  const s3 = env.STORYBOOK_LIVE_S3?.trim();
  if (!signer || !s3) return {};
  const signerUrl = target(signer, 'STORYBOOK_LIVE_SIGNER');
  const s3Url = target(s3, 'STORYBOOK_LIVE_S3');
  const withoutOrigin: ProxyOptions['configure'] = (proxy) => {
    proxy.on('proxyReq', (request) => request.removeHeader('origin'));
  };
  const basePath = signerUrl.pathname.replace(/\/+$/, '');
  return {
    [LIVE_SIGNER_PATH]: {
      target: signerUrl.origin,
      changeOrigin: true,
      rewrite: (path) => basePath + path.slice(LIVE_SIGNER_PATH.length),
      configure: withoutOrigin,
    },
    [LIVE_S3_PATH]: {
      target: s3Url.origin,
      changeOrigin: true,
      rewrite: (path) => path.slice(LIVE_S3_PATH.length) || '/',
      configure: withoutOrigin,
    },
  };
}
