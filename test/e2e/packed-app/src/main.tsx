// A consumer app: imports the installed package by name, exactly as a user would.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { S3Uploader } from 's3-multipart-uploader';

declare global {
  interface Window {
    /** Injected by the test's static server as a <script> before this bundle. */
    __APP__: { signer: string; token: string };
  }
}

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');

createRoot(container).render(
  <StrictMode>
    <S3Uploader signer={window.__APP__.signer} token={window.__APP__.token} />
  </StrictMode>,
);
