// import.meta.env as Vite (Storybook's builder, Vitest) fills it for the stories.
interface ImportMetaEnv {
  /** Set by Vitest (the story tests). */
  readonly VITEST?: string;
  /** Live mode (stories/README.md): the signer's base URL, e.g. http://127.0.0.1:8787/api/uploads. */
  readonly STORYBOOK_LIVE_SIGNER?: string;
  /** Live mode: the S3 endpoint the signer presigns for, e.g. http://127.0.0.1:9000. */
  readonly STORYBOOK_LIVE_S3?: string;
  /** Live mode: the bearer token (`npm start` prints its demo token). */
  readonly STORYBOOK_LIVE_TOKEN?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
