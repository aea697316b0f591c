import { workerData } from 'node:worker_threads';
import { PIXELS, toUnit } from '../src/core/frame.js';
import { loadMnist } from '../src/data/mnist.js';
import { decodeImage } from '../src/codecs/decode.js';
import { tutorialInput } from '../src/core/image/naive.js';
import { predictDecoded } from '../src/core/image/pipeline.js';
import { loadModel } from '../src/io/model-file.js';
import { corruptedImage, imageSeed } from '../src/samples/corruptions.js';
import { loadFont, typedDigit } from '../src/samples/typed.js';
import { Random } from '../src/core/util/random.js';
import { DECLINED, NO_DIGIT_FOUND, type RobustnessTask, type TrackReadings } from './robustness-readings.js';

/* One robustness-bench thread: the model and the MNIST test set load once; each task scores a batch. */

const model = loadModel((workerData as { modelPath: string }).modelPath);
const test = loadMnist().test;
const x = toUnit(test.pixels);

async function score(bytes: Uint8Array, truth: number, out: TrackReadings): Promise<void> {
  const img = await decodeImage(bytes);
  const p = predictDecoded(img, model);
  out.predicted.push(p.digit ?? (p.guess === null ? NO_DIGIT_FOUND : DECLINED));
  out.tutorial.push(model.predict(tutorialInput(img), 1)[0]!);
  out.truth.push(truth);
}

export default async function run(task: RobustnessTask): Promise<TrackReadings> {
  const out: TrackReadings = { predicted: [], tutorial: [], truth: [] };
  if (task.kind === 'track') {
    for (const i of task.indices) {
      const { bytes } = corruptedImage(task.track, task.strength, x.subarray(i * PIXELS, (i + 1) * PIXELS), i);
      await score(bytes, test.labels![i]!, out);
    }
  } else {
    const font = loadFont(task.font);
    for (const [s, [textPx, canvas]] of task.sizes.entries()) {
      for (let d = 0; d < 10; d++) await score(typedDigit(font, d, textPx, canvas, new Random(imageSeed(99, s, d))), d, out);
    }
  }
  return out;
}
