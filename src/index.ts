// s3-multipart-uploader: the React layer (hooks and components) plus the engine.
export * from './engine/index';
