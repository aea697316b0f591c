// The one entry for every worker thread, plain or in a piscina pool. Worker threads do not inherit tsx's
// loader, so register it, then load the TypeScript module named in workerData.entry. For a pool, that
// module's default export is the task function.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const module = await import(workerData.entry);
export default module.default;
