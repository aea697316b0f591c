import { parentPort, workerData } from 'node:worker_threads';
import { pipelineRuns } from './server.js';

// The in-process pipeline measured on a thread of its own, with a heap as small as a server process's:
// the bench's own heap holds all of MNIST, and its garbage collections would slow the loop down.
const { png } = workerData as { png: Uint8Array };
parentPort!.on('message', (seconds: number) => void pipelineRuns(png, seconds).then((rate) => parentPort!.postMessage(rate)));
