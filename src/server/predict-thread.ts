import { workerData } from 'node:worker_threads';
import { loadModel } from '../io/model-file.js';
import { predictTask, type PredictMode } from './predict-task.js';

/* A prediction thread for big images: its own copy of the model; each task is one image's bytes and the mode. */

const { modelPath, maxPixels } = workerData as { modelPath: string; maxPixels: number };
const model = loadModel(modelPath);

export default function ({ bytes, mode }: { bytes: Uint8Array; mode: PredictMode }) {
  return predictTask(model, bytes, maxPixels, mode);
}
