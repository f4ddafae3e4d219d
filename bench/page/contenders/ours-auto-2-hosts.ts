// `ours-auto` signed by a reference signer with `partEndpoints`: its part URLs alternate between
// two S3 hostnames (two ports of 127.0.0.1, two pacing proxies to the same RGW on the long-fat
// link). Chromium opens at most 6 connections per host, so a second host allows 6 more parts in
// flight. The Node side hands this page that signer's URL (stack.ts); the page is ours-auto's.
import { oursWith } from './ours-engine';

export default oursWith({ integrity: false, concurrency: 'auto' });
