/*
 * TensorFlow.js's WASM backend on the same task as `npm run bench -- --only mlp-speed`, for its samples/s.
 * Reads N images (uint8, 784 each) and their labels from the raw files given, trains a 784-HIDDEN-10 ReLU
 * network with Adam (lr 1e-3), batch 128, for EPOCHS epochs on float32 input, and prints one JSON line: the
 * samples/s after the first epoch, as ours are counted. The bench bundles this file with esbuild, since
 * tfjs-core's gradients are only published as ES modules that Node cannot import directly.
 * Usage: node tfjs_mlp.mjs PIXELS_FILE LABELS_FILE N EPOCHS HIDDEN WASM_DIR
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

const [pixelsFile, labelsFile, nArg, epochsArg, hiddenArg, wasmDir] = process.argv.slice(2) as [string, string, string, string, string, string];
const [n, epochs, hidden, batch] = [Number(nArg), Number(epochsArg), Number(hiddenArg), 128];
setWasmPaths(`${wasmDir}/`);
await tf.setBackend('wasm');
const pixels = readFileSync(pixelsFile);
const labels = readFileSync(labelsFile);
const x = tf.tensor2d(
  Float32Array.from(pixels.subarray(0, n * 784), (v) => v / 255),
  [n, 784],
);
const y = tf.oneHot(tf.tensor1d(Int32Array.from(labels.subarray(0, n)), 'int32'), 10);
const w1 = tf.variable(tf.randomNormal([784, hidden], 0, Math.sqrt(2 / 784), 'float32', 1));
const b1 = tf.variable(tf.zeros([hidden]));
const w2 = tf.variable(tf.randomNormal([hidden, 10], 0, Math.sqrt(2 / hidden), 'float32', 2));
const b2 = tf.variable(tf.zeros([10]));
const optimizer = tf.train.adam(1e-3);
const steps = Math.floor(n / batch);
let seconds = 0;
for (let epoch = 0; epoch < epochs; epoch++) {
  const start = performance.now();
  for (let s = 0; s < steps; s++) {
    tf.tidy(() => {
      const xb = tf.slice(x, [s * batch, 0], [batch, 784]);
      const yb = tf.slice(y, [s * batch, 0], [batch, 10]);
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(yb, tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(xb, w1), b1)), w2), b2)) as tf.Scalar);
    });
  }
  if (epoch > 0) seconds += (performance.now() - start) / 1000;
}
console.log(JSON.stringify({ version: tf.version_core, backend: tf.getBackend(), samplesPerSecond: Math.round(((epochs - 1) * steps * batch) / seconds) }));
