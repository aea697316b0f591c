/**
 * What the pages import of the core (src/core: everything that runs anywhere, the browser included): a
 * compact model read from its JSON text, decoded pixels made MNIST's 28×28, the model's prediction, numbers.
 * The other classifiers (kNN, forest, IDM) are core too but never sent to a page (registry.ts reads them).
 * Nothing here (or below it) imports from Node: test/core.test.ts bundles it for the browser and runs it
 * with no Node globals to prove it. Files, threads and HTTP belong to the edges: src/cli, src/server,
 * src/train, src/io.
 */
export { COMPACT_CLASSIFIERS, parseCompactModel } from './models/compact-registry.js';
export { DigitModel, type Confidence, type FeedbackRecord, type Metrics, type ModelJson, type ModelMetadata } from './models/model.js';
export { argmaxRows, type Classifier } from './models/classifier.js';
export { DigitDetector, type DetectorAbout } from './models/detector.js';
export { toMnistInput, type MnistInput, type PreprocessInfo } from './image/preprocess.js';
export { compileKernelsAhead } from './math/kernels.js';
export { predictDecoded, type Prediction } from './image/pipeline.js';
export { readNumber, type Box, type NumberReading, type PieceReading } from './image/number.js';
export type { RgbaImage } from './image/rgba.js';
export {
  COMPACT_MODEL_PATH,
  toAnswer,
  toNumberAnswer,
  type Answer,
  type ErrorAnswer,
  type NumberAnswer,
  type PieceAnswer,
  type PredictAnswer,
  type PredictNumberAnswer,
  type UploadAnswer,
} from './api.js';
