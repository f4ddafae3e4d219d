// `integrity: false`, 2 parts in flight whatever the bench's concurrency (long-fat comparison).
import { oursWith } from './ours-engine';

export default oursWith({ integrity: false, concurrency: 2 });
