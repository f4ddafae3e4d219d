// `integrity: false`, 6 parts in flight (Chromium's connections per host) whatever the bench's
// concurrency (long-fat comparison).
import { oursWith } from './ours-engine';

export default oursWith({ integrity: false, concurrency: 6 });
