/**
 * The core: everything that runs anywhere, the browser included. A model is read from its JSON text,
 * decoded pixels become MNIST's 28×28 and the model predicts; the models' fitting kernels come along.
 * Nothing here (or below it) imports from Node: test/core.test.ts bundles it for the browser and runs it
 * with no Node globals to prove it. Files, threads and HTTP belong to the edges: src/cli, src/server,
 * src/train, src/io.
 */
export { CLASSIFIERS, parseModel } from './models/registry.js';
export { DigitModel, type Confidence, type FeedbackRecord, type Metrics, type ModelJson, type ModelMetadata } from './models/model.js';
export { argmaxRows, type Classifier } from './models/classifier.js';
export { KnnClassifier } from './models/knn.js';
export { RandomForest } from './models/forest.js';
export { Mlp } from './models/mlp.js';
export { DigitDetector, type DetectorAbout } from './models/detector.js';
export { InputTransform } from './features/transform.js';
export { Pca } from './features/pca.js';
export { deskew } from './features/deskew.js';
export { toMnistInput, type MnistInput, type PreprocessInfo } from './image/preprocess.js';
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
