// The owner's unfinished uploads on the server (every browser and device), through the app's
// React Query client. The only module importing @tanstack/react-query: it is exported from the
// separate `s3-multipart-uploader/query` entry so apps using only the basic hooks never load it.
import {
  type QueryClient,
  skipToken,
  type UseQueryResult,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import {
  browserUploadLocks,
  type HttpSignerOptions,
  isUploadError,
  notifyResumableUploadsChanged,
  onResumableUploadsChanged,
  type RemoteUpload,
  type ResumeStore,
  type Signer,
  UploadError,
  type UploadLocks,
} from '../engine/index';
import { toSigner } from './engine-options';

/** Every query of this hook starts with this key: invalidate it to refetch them all. */
export const REMOTE_UPLOADS_QUERY_KEY = ['s3-multipart-uploader', 'remote-uploads'] as const;

export function remoteUploadsQueryKey(signerId: string) {
  return [...REMOTE_UPLOADS_QUERY_KEY, signerId] as const;
}

/** Refetches every remote list (after an upload was completed or discarded outside these hooks). */
export function invalidateRemoteResumableUploads(queryClient: QueryClient): Promise<void> {
  return queryClient.invalidateQueries({ queryKey: REMOTE_UPLOADS_QUERY_KEY });
}

export interface RemoteResumableUploadsOptions {
  /** The signer: a URL (with `token`) or a Signer. Listing needs `Signer.listUploads`. */
  signer: string | Signer;
  token?: HttpSignerOptions['token'];
  /** Part of the query key (default: the signer URL, or "signer"). */
  signerId?: string;
  /** false: no fetching (default true). */
  enabled?: boolean;
  /** How long a listing stays fresh (default 30 s). */
  staleTime?: number;
  /** Also delete the local record of an upload discarded here (matched by upload id). */
  store?: ResumeStore;
  /** Lock provider: an upload another tab is driving is not discarded (default: the browser's). */
  locks?: UploadLocks | false;
  /** A QueryClient other than the provider's. */
  queryClient?: QueryClient;
}

export interface RemoteResumableUploadsResult {
  /** The owner's unfinished uploads, as the signer lists them ([] until fetched or when unsupported). */
  uploads: RemoteUpload[];
  /** False when the signer has no `listUploads`: the query stays disabled. */
  supported: boolean;
  /** The React Query result (status, error, refetch...). */
  query: UseQueryResult<RemoteUpload[]>;
  /** Aborts one on S3 (already gone is fine) and refetches. Rejects with UPLOAD_IN_USE while another tab uploads it. */
  discard(upload: RemoteUpload): Promise<void>;
  discarding: boolean;
}

/**
 * Lists the caller's unfinished multipart uploads on the server with `useQuery` (cached,
 * refetched on focus and when stale, disabled when the signer cannot list), invalidated whenever
 * an upload of this page is created, completed, cancelled or discarded.
 * Needs a QueryClientProvider (or `queryClient`).
 */
export function useRemoteResumableUploads(
  options: RemoteResumableUploadsOptions,
): RemoteResumableUploadsResult {
  const client = useQueryClient(options.queryClient);
  const latest = useRef(options);
  useEffect(() => {
    latest.current = options;
  });
  const signer = typeof options.signer === 'string' ? null : options.signer;
  // A URL signer is the protocol's HTTP signer, which has no list operation (yet).
  const supported = typeof signer?.listUploads === 'function';
  const signerId = options.signerId ?? (typeof options.signer === 'string' ? options.signer : 'signer');

  const query = useQuery(
    {
      queryKey: remoteUploadsQueryKey(signerId),
      queryFn:
        supported && options.enabled !== false
          ? async ({ signal }) => {
              const listed = await (signer as Signer & Required<Pick<Signer, 'listUploads'>>).listUploads({
                signal,
              });
              return listed.uploads;
            }
          : skipToken,
      staleTime: options.staleTime ?? 30_000,
    },
    client,
  );

  useEffect(
    () =>
      onResumableUploadsChanged(() => {
        void invalidateRemoteResumableUploads(client);
      }),
    [client],
  );

  const mutation = useMutation(
    {
      mutationFn: async (upload: RemoteUpload) => {
        const { store, locks: lockOption } = latest.current;
        const locks = lockOption === false ? null : (lockOption ?? browserUploadLocks);
        const lock = upload.fingerprint && locks ? await locks.acquire(upload.fingerprint) : null;
        if (lock && !lock.acquired) {
          throw new UploadError(
            'UPLOAD_IN_USE',
            'This upload is running in another tab or window: stop it there (or close that tab) to discard it.',
          );
        }
        try {
          try {
            await toSigner(latest.current).abortMultipartUpload({
              key: upload.key,
              uploadId: upload.uploadId,
            });
          } catch (error) {
            if (!(isUploadError(error) && error.code === 'UPLOAD_NOT_FOUND')) throw error;
          }
          if (store) {
            for (const record of await store.list()) {
              if (record.uploadId === upload.uploadId) await store.remove(record.id);
            }
          }
        } finally {
          lock?.release();
        }
      },
      onSuccess: (_data, upload) => {
        notifyResumableUploadsChanged({
          type: 'discarded',
          key: upload.key,
          uploadId: upload.uploadId,
          ...(upload.fingerprint ? { fingerprint: upload.fingerprint } : {}),
        });
      },
    },
    client,
  );

  return {
    uploads: query.data ?? [],
    supported,
    query,
    discard: async (upload) => {
      await mutation.mutateAsync(upload);
    },
    discarding: mutation.isPending,
  };
}
