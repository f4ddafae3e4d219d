// s3-multipart-uploader: the React layer (hooks and components) plus the engine.
// No top-level side effects anywhere below (package.json "sideEffects": false), so an app that
// imports only useMultipartUpload leaves the components out of its bundle.
export * from './components/index';
export * from './engine/index';
export * from './hooks/index';
