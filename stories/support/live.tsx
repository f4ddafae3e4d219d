// Live mode: the stories' uploader against a real signer + S3, e.g. the stack of `npm start`.
// Storybook's dev server proxies /__live/signer and /__live/s3 to them (.storybook/main.ts), so the
// browser only makes same-origin requests; this transport sends presigned PUTs through the proxy.
import type { S3UploaderProps } from '../../src/components/index';
import { createXhrTransport, type Transport } from '../../src/engine/index';

export const LIVE_SIGNER_PATH = '/__live/signer';
export const LIVE_S3_PATH = '/__live/s3';

export interface LiveConfig {
  signer: string;
  s3: string;
  token: string | undefined;
}

/** The live stack from STORYBOOK_LIVE_SIGNER / _S3 / _TOKEN, or null when they are not set. */
export function liveConfig(): LiveConfig | null {
  const {
    STORYBOOK_LIVE_SIGNER: signer,
    STORYBOOK_LIVE_S3: s3,
    STORYBOOK_LIVE_TOKEN: token,
  } = import.meta.env;
  if (!signer || !s3) return null;
  return { signer, s3, token: token || undefined };
}

/** The XHR transport, with URLs presigned for `s3` sent through Storybook's proxy instead. */
export function proxiedTransport(s3: string): Transport {
  const origin = new URL(s3).origin;
  const xhr = createXhrTransport();
  return (request) =>
    xhr(
      request.url.startsWith(`${origin}/`)
        ? { ...request, url: `${LIVE_S3_PATH}${request.url.slice(origin.length)}` }
        : request,
    );
}

/** S3Uploader props for live mode: the signer through the proxy, resumable in IndexedDB as in an app. */
export function liveProps(config: LiveConfig): S3UploaderProps {
  return {
    signer: LIVE_SIGNER_PATH,
    ...(config.token ? { token: config.token } : {}),
    transport: proxiedTransport(config.s3),
  };
}

/** What to do when live mode is chosen but not configured. */
export function LiveNotConfigured() {
  return (
    <div className="s3u-live-help" style={{ maxWidth: '42rem', lineHeight: 1.5 }}>
      <p>
        <strong>Live mode is not configured.</strong> Run <code>npm start</code>, then start Storybook with
        the signer URL, S3 endpoint and demo token it prints:
      </p>
      <pre style={{ whiteSpace: 'pre-wrap' }}>
        STORYBOOK_LIVE_SIGNER=http://127.0.0.1:PORT/api/uploads STORYBOOK_LIVE_S3=http://127.0.0.1:S3_PORT
        STORYBOOK_LIVE_TOKEN=TOKEN npm run storybook
      </pre>
      <p>
        Live mode needs <code>npm run storybook</code> (its dev server proxies both); see stories/README.md.
      </p>
    </div>
  );
}
