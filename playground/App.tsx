// The playground page: <S3Uploader/> against the signer that `npm start` serves.
import { S3Uploader } from '../src/index';

export function App() {
  const config = window.__PLAYGROUND__;
  if (!config)
    return <p role="alert">window.__PLAYGROUND__ is missing: start the playground with npm start.</p>;
  return (
    <main
      style={{
        maxWidth: '40rem',
        margin: '2rem auto',
        padding: '0 1rem',
        fontFamily: 'system-ui, sans-serif',
      }}
    >
      <h1>s3-multipart-uploader playground</h1>
      <S3Uploader signer={config.signer} token={config.token} />
    </main>
  );
}
