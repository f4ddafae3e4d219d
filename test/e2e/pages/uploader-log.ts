/** What test/e2e/pages/uploader-page.tsx records on `window.uploader` for the tests to read. */
export interface UploaderLog {
  completed: { name: string; key: string; size: number; partCount: number; uploadId: string | null }[];
  failed: { name: string; code: string; message: string }[];
}
