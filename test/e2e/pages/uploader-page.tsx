// A page rendering <S3Uploader/> for browser tests, configured from the URL query:
//   ?signer=<signer base URL>&token=<bearer token>[&partSize=<bytes>][&concurrency=<n>]
//   [&fileSystemAccess=1] (pick through showOpenFilePicker and keep handles: off by default under
//   automation, see S3UploaderProps.useFileSystemAccess)
// It records what the uploader reports in window.uploader (completed uploads with their keys,
// failures with their codes), so a test can find the object in S3 and compare its bytes.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { S3Uploader } from '../../../src/components/index';
import type { UploaderLog } from './uploader-log';

declare global {
  interface Window {
    uploader: UploaderLog;
  }
}

const query = new URLSearchParams(window.location.search);
const signer = query.get('signer') ?? '';
const token = query.get('token') ?? undefined;
const number = (name: string) => {
  const value = query.get(name);
  return value === null ? undefined : Number(value);
};
const partSize = number('partSize');
const concurrency = number('concurrency');
const fileSystemAccess = query.get('fileSystemAccess') === '1';

window.uploader = { completed: [], failed: [] };

// A real page around the uploader (language, landmark, heading), so axe can check all of it.
document.documentElement.lang = 'en';
const main = document.createElement('main');
const heading = document.createElement('h1');
heading.textContent = 'Upload files';
const mount = document.createElement('div');
main.append(heading, mount);
document.body.append(main);

createRoot(mount).render(
  <StrictMode>
    <S3Uploader
      signer={signer}
      {...(token ? { token } : {})}
      {...(partSize ? { partSize } : {})}
      {...(concurrency ? { concurrency } : {})}
      {...(fileSystemAccess ? { useFileSystemAccess: true } : {})}
      stallTimeoutMs={20_000}
      onComplete={(result, file) => {
        window.uploader.completed.push({
          name: file.name,
          key: result.key,
          size: result.size,
          partCount: result.partCount,
          uploadId: result.uploadId,
        });
      }}
      onError={(error, file) => {
        window.uploader.failed.push({ name: file.name, code: error.code, message: error.message });
      }}
    />
  </StrictMode>,
);
