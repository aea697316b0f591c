// Entry for worker threads running TypeScript: workers do not inherit tsx's loader, so register it here
// and then load the real worker module.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.tsWorkerEntry);
