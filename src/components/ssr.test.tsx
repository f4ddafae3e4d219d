// @vitest-environment node
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { S3Uploader, useMultipartUpload, useUploadQueue } from '../index';

function Single() {
  const upload = useMultipartUpload({ signer: '/api/uploads' });
  return <p>{upload.status}</p>;
}

function Queue() {
  const queue = useUploadQueue({ signer: '/api/uploads' });
  return <p>{queue.items.length}</p>;
}

describe('server rendering', () => {
  it('imports and renders without window or document', () => {
    expect(typeof window).toBe('undefined');
    const html = renderToString(<S3Uploader signer="/api/uploads" token="t" />);
    expect(html).toContain('class="s3u-dropzone"');
    expect(html).toContain('Drop files here or choose files');
    expect(html).toContain('aria-live="polite"');
    expect(renderToString(<Single />)).toBe('<p>idle</p>');
    expect(renderToString(<Queue />)).toBe('<p>0</p>');
  });
});
