// `integrity: false` with the default concurrency, 'auto': as many parts in flight as the
// page-wide pool holds (6). Compared with the fixed settings on the long-fat link.
import { oursWith } from './ours-engine';

export default oursWith({ integrity: false, concurrency: 'auto' });
