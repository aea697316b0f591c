import { InputTransform } from '../../src/core/features/transform.js';
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

/** A deslanting transform that counts its own apply calls: to check that a committee's twin views share one copy. */
export function countedDeslant(): { transform: InputTransform; calls: () => number } {
  const transform = new InputTransform(true, null);
  let calls = 0;
  const apply = transform.apply.bind(transform);
  transform.apply = (v, n) => {
    calls++;
    return apply(v, n);
  };
  return { transform, calls: () => calls };
}
