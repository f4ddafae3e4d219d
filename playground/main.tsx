// Playground entry: `npm start` (scripts/start.ts) serves this page with Vite and injects
// `window.__PLAYGROUND__` (the signer URL and a demo token) into index.html.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';

const container = document.getElementById('root');
if (!container) throw new Error('playground/index.html has no #root element');

createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
