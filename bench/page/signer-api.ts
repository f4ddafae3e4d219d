// Minimal client for the reference signer's JSON protocol (docs/protocol.md), shared by the
// contenders that sign through it: one presigned PUT, the hand-written reference and Uppy 5
// (and their many-files pages).

export async function postJson<T>(base: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`signer ${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export interface SignedUrl {
  url: string;
  headers?: Record<string, string>;
}

export interface CreatedUpload {
  key: string;
  uploadId: string;
}

export function fileType(file: File): string {
  return file.type || 'application/octet-stream';
}

/** A presigned PUT of the whole file (`POST /single`); the signer chooses the key. */
export function signSingle(base: string, file: File): Promise<SignedUrl & { key: string }> {
  return postJson(base, '/single', { name: file.name, size: file.size, type: fileType(file) });
}

export function createMultipart(base: string, file: File, partSize: number): Promise<CreatedUpload> {
  return postJson(base, '/multipart', {
    name: file.name,
    size: file.size,
    type: fileType(file),
    partSize,
    partCount: Math.ceil(file.size / partSize),
  });
}

export async function signParts(
  base: string,
  upload: CreatedUpload,
  parts: { partNumber: number; contentLength: number }[],
): Promise<(SignedUrl & { partNumber: number })[]> {
  const out = await postJson<{ parts: (SignedUrl & { partNumber: number })[] }>(base, '/multipart/sign', {
    ...upload,
    parts,
  });
  return out.parts;
}

export function completeMultipart(
  base: string,
  upload: CreatedUpload,
  parts: { partNumber: number; etag: string }[],
): Promise<{ key: string; etag: string }> {
  return postJson(base, '/multipart/complete', { ...upload, parts });
}

/** PUT `body` with XMLHttpRequest (a Blob goes out as is); resolves with the ETag. */
export function xhrPut(url: string, body: Blob, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.getResponseHeader('ETag') ?? '');
      else reject(new Error(`PUT: HTTP ${xhr.status} ${xhr.responseText.slice(0, 300)}`));
    };
    xhr.onerror = () => reject(new Error('PUT: network error'));
    xhr.send(body);
  });
}

/** Uppy 6's `signRequest` through the bench's auxiliary presigner (`POST /presign`). */
export function presignViaAux(auxUrl: string) {
  return async (request: unknown): Promise<{ url: string }> => {
    const response = await fetch(`${auxUrl}/presign`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    if (!response.ok) throw new Error(`presign: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as { url: string };
  };
}
