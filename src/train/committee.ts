import { labelsOf } from '../core/frame.js';
import { sha256 } from '../data/mnist.js';
import { evaluate } from '../eval/metrics.js';
import { readInput } from '../io/files.js';
import { Committee } from '../core/models/committee.js';
import { Mlp } from '../core/models/mlp.js';
import { DigitModel } from '../core/models/model.js';
import { parseModel } from '../core/models/registry.js';
import { InputError } from '../core/util/errors.js';
import { baseMetadata, validationMetrics, type TrainingData } from './common.js';

export interface CommitteeTrainOptions {
  /** MLP model files, comma-separated, each made by `npm run train -- --model mlp`. */
  members: string;
}

export const DEFAULT_COMMITTEE: CommitteeTrainOptions = { members: '' };

/**
 * A committee of MLPs trained apart: reads the member files, checks they take the same input, and scores
 * the average of their probabilities. Each member's command, seed and file hash go in the metadata, so the
 * committee is reproduced by training its members and running this command again.
 */
export async function trainCommittee(data: TrainingData, o: CommitteeTrainOptions): Promise<{ model: DigitModel }> {
  const paths = o.members.split(',').filter(Boolean);
  if (paths.length < 2) throw new InputError('--members needs at least two MLP model files, comma-separated');
  const members = paths.map((path) => {
    const text = readInput(path, 'committee member');
    const model = parseModel(text.toString('utf8'), path);
    if (!(model.classifier instanceof Mlp)) throw new InputError(`${path} is a ${model.metadata.kind} model; committee members must be MLPs`);
    return { path, model, net: model.classifier, sha256: sha256(text) };
  });
  const inputs = new Set(members.map((m) => JSON.stringify(m.model.input.toJSON())));
  if (inputs.size !== 1) throw new InputError(`the members take different inputs (${members.map((m) => m.model.input.describe()).join(' / ')})`);
  const committee = new Committee(members.map((m) => m.net));
  const first = members[0]!.model;
  const model = new DigitModel(
    baseMetadata(data, {
      kind: Committee.kind,
      description: `committee of ${members.length} MLPs (${members.map((m) => m.net.sizes.join('-')).join(', ')}), probabilities averaged; ${first.metadata.description.replace(/^softmax MLP [\d-]+, /, 'members: ')}`,
      seed: first.metadata.seed,
      preprocessing: first.metadata.preprocessing,
      hyperparameters: {
        combine: 'mean of the members’ probabilities',
        members: members.map((m) => ({
          file: m.path,
          sha256: m.sha256,
          command: m.model.metadata.command,
          seed: m.model.metadata.seed,
          sizes: m.net.sizes,
          validationAccuracy: m.model.metadata.metrics.validation?.accuracy,
          testAccuracy: m.model.metadata.metrics.test?.accuracy,
          trainedOn: m.model.metadata.hyperparameters.trainedOn,
        })),
      },
      trainSeconds: members.reduce((s, m) => s + m.model.metadata.trainSeconds, 0),
      metrics: {},
    }),
    first.input,
    committee,
  );
  const validation = evaluate(model.predictProba(data.validationX, data.validation.n), labelsOf(data.validation));
  model.metadata.metrics.validation = validationMetrics(validation.accuracy, data.validation.n);
  return { model };
}
