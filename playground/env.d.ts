// Globals of the playground page. scripts/start.ts injects `window.__PLAYGROUND__` into index.html.

/** Where the page's signer is, and the bearer token to send it. */
export interface PlaygroundConfig {
  /** Signer base URL, e.g. http://127.0.0.1:8787/api/uploads. */
  signer: string;
  /** Demo bearer token (random per `npm start`). */
  token: string;
}

declare global {
  interface Window {
    /** Set by scripts/start.ts before any module runs; absent when the page is served otherwise. */
    __PLAYGROUND__?: PlaygroundConfig;
  }
}
