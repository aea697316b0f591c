// Piscina worker entry. Worker threads do not inherit tsx's loader, so register it, then load the task.
import { workerData } from 'piscina';
import { register } from 'tsx/esm/api';

register();
const { predictTask } = await import('./predict-task.ts');
const { loadModel } = await import('../models/registry.ts');
const { modelPath, maxPixels } = workerData;
const model = loadModel(modelPath);

export default function (bytes) {
  return predictTask(model, bytes, maxPixels);
}
