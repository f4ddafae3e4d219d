// Integrity on (the default): each part's MD5 computed in Web Workers and bound as Content-MD5,
// the object's ETag checked after completion. The bench's concurrency, like every contender.
import { oursWith } from './ours-engine';

export default oursWith({});
