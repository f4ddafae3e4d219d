// s3-multipart-uploader/query: the parts built on @tanstack/react-query (an optional peer
// dependency). A separate entry, so apps that only use the basic hooks never load React Query.
export type { ListUploadsOutput, RemoteUpload } from './engine/types';
export {
  invalidateRemoteResumableUploads,
  REMOTE_UPLOADS_QUERY_KEY,
  type RemoteResumableUploadsOptions,
  type RemoteResumableUploadsResult,
  remoteUploadsQueryKey,
  useRemoteResumableUploads,
} from './hooks/use-remote-resumable-uploads';
