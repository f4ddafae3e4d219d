// `integrity: false`: no hashing, the same work as the reference, at the bench's concurrency.
import { oursWith } from './ours-engine';

export default oursWith({ integrity: false });
