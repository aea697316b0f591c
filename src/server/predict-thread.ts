import { workerData } from 'node:worker_threads';
import { loadModel } from '../io/model-file.js';
import { runTask, type Task } from './predict-task.js';

/* A prediction thread for big images: its own copy of the model; each task is one image's bytes and what to do with them. */

const { modelPath, maxPixels } = workerData as { modelPath: string; maxPixels: number };
const model = loadModel(modelPath);

export default function ({ bytes, task }: { bytes: Uint8Array; task: Task }) {
  return runTask(model, bytes, maxPixels, task);
}
