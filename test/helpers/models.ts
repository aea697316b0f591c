import type { ModelMetadata } from '../../src/core/models/model.js';

/** Metadata for a model made in a test, not by a training command: `fields` override the defaults. */
export function testMetadata(kind: string, fields: Partial<ModelMetadata> = {}): ModelMetadata {
  return {
    kind,
    description: 'test',
    created: '',
    command: 'test',
    seed: 1,
    data: {},
    preprocessing: '',
    hyperparameters: {},
    trainSeconds: 0,
    metrics: {},
    ...fields,
  };
}
