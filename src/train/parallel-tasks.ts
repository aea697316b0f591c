import { accumulateMoments, projectRows } from '../core/math/linalg.js';

/* Tasks the parallel pool runs; the typed arrays share memory with the caller (SharedArrayBuffer). */

export interface MomentsTask {
  kind: 'moments';
  x: Float32Array;
  d: number;
  from: number;
  to: number;
}

export interface ProjectTask {
  kind: 'project';
  x: Float32Array;
  d: number;
  k: number;
  vectorsT: Float32Array;
  meanProjection: Float32Array;
  from: number;
  to: number;
  out: Float32Array;
}

export default function runTask(task: MomentsTask | ProjectTask): { sum: Float64Array; moments: Float64Array } | null {
  if (task.kind === 'moments') {
    const sum = new Float64Array(task.d);
    const moments = new Float64Array(task.d * task.d);
    accumulateMoments(task.x, task.d, task.from, task.to, sum, moments);
    return { sum, moments };
  }
  projectRows(task.x, task.d, task.k, task.vectorsT, task.meanProjection, task.from, task.to, task.out);
  return null;
}
