import { labelsOf } from '../core/frame.js';
import { sha256 } from '../data/mnist.js';
import { evaluate } from '../eval/metrics.js';
import { readInput } from '../io/files.js';
import { Committee } from '../core/models/committee.js';
import { InputTransform } from '../core/features/transform.js';
import { Mlp } from '../core/models/mlp.js';
import { DigitModel } from '../core/models/model.js';
import { parseModel } from '../core/models/registry.js';
import { InputError } from '../core/util/errors.js';
import { baseMetadata, validationMetrics, type TrainingData } from './common.js';

export interface CommitteeTrainOptions {
  /** MLP model files, comma-separated, each made by `npm run train -- --model mlp`. */
  members: string;
  /** Keep only the members a greedy forward selection on the validation split's log-loss takes. */
  select: boolean;
  /** Members kept whatever the selection says, comma-separated (the selection adds to them): an outlier-exposed MLP that refusal and Number mode rely on. */
  keep?: string;
  /** With select: at most this many members (the page's budget: the board downloads and runs every member). */
  most?: number;
  /** A JSON spec of members to train: the command prints their commands and trains nothing (src/cli/members-spec.ts). */
  membersSpec?: string;
}

export const DEFAULT_COMMITTEE: CommitteeTrainOptions = { members: '', select: false };

/** One step of the forward selection: the members so far and their average's accuracy. */
export interface SelectionStep {
  members: string[];
  validationAccuracy: number;
  /** What the selection minimises: the mean negative log-likelihood on the validation split. */
  validationLoss: number;
  /** Measured for the chart of error against committee size only: the choice never reads it. */
  testAccuracy: number;
}

/** The mean of some members' probability rows. */
function mean(ps: Float32Array[]): Float32Array {
  const out = new Float32Array(ps[0]!.length);
  for (const p of ps) for (let i = 0; i < out.length; i++) out[i]! += p[i]!;
  for (let i = 0; i < out.length; i++) out[i]! /= ps.length;
  return out;
}

/** The mean negative log-likelihood of the true labels under probability rows. */
function nll(p: Float32Array, labels: Uint8Array): number {
  let s = 0;
  for (let r = 0; r < labels.length; r++) s -= Math.log(Math.max(p[r * 10 + labels[r]!]!, 1e-12));
  return s / labels.length;
}

/**
 * Greedy forward selection on validation probabilities (Caruana et al. 2004): the best member (or the `kept`
 * ones), then each time the member whose addition lowers the average's log-loss most, while it lowers it (at
 * least two members). The log-loss rather than the accuracy: on 5,000 digits members differ in accuracy by a
 * few images, which is noise; the loss sees every image's probability.
 */
export function selectMembers(validation: Float32Array[], labels: Uint8Array, kept: number[] = [], most = Infinity): number[] {
  const loss = (ks: number[]) => nll(mean(ks.map((k) => validation[k]!)), labels);
  /** Of the candidates, the one whose addition to `chosen` gives the lowest loss (the first on a tie), and that loss. */
  const bestAddition = (chosen: number[], candidates: number[]) =>
    candidates.map((k) => ({ k, loss: loss([...chosen, k]) })).reduce((a, b) => (b.loss < a.loss ? b : a));
  const all = validation.map((_, k) => k);
  let chosen = [...kept];
  let best = chosen.length > 0 ? loss(chosen) : Infinity;
  for (;;) {
    const rest = all.filter((k) => !chosen.includes(k));
    if (rest.length === 0 || chosen.length >= most) break;
    const next = bestAddition(chosen, rest);
    if (next.loss >= best && chosen.length >= 2) break;
    chosen = [...chosen, next.k];
    best = next.loss;
  }
  return chosen;
}

/**
 * A committee of MLPs trained apart: reads the member files, checks they take the same input, and scores
 * the average of their probabilities. Each member's command, seed and file hash go in the metadata, so the
 * committee is reproduced by training its members and running this command again.
 */
export async function trainCommittee(data: TrainingData, o: CommitteeTrainOptions): Promise<{ model: DigitModel }> {
  const keep = [...new Set((o.keep ?? '').split(',').filter(Boolean))];
  if (keep.length > 0 && !o.select) throw new InputError('--keep names members the selection must keep: it needs --select');
  if (o.most !== undefined && !o.select) throw new InputError('--most caps what the selection keeps: it needs --select');
  if (o.most !== undefined && o.most < keep.length) throw new InputError(`--most ${o.most} is fewer than the ${keep.length} members --keep names`);
  const paths = [...new Set([...keep, ...o.members.split(',').filter(Boolean)])];
  if (paths.length < 2) throw new InputError('--members needs at least two MLP model files, comma-separated');
  const members = paths.map((path) => {
    const text = readInput(path, 'committee member');
    const model = parseModel(text.toString('utf8'), path);
    if (!(model.classifier instanceof Mlp)) throw new InputError(`${path} is a ${model.metadata.kind} model; committee members must be MLPs`);
    return { path, model, net: model.classifier, sha256: sha256(text) };
  });
  const validationLabels = labelsOf(data.validation);
  // Raw probabilities, as the committee averages its nets: a member with a temperature of its own is scored without it.
  const validation = members.map((m) => m.model.rawProba(data.validationX, data.validation.n));
  const picked = o.select
    ? selectMembers(
        validation,
        validationLabels,
        keep.map((_, k) => k),
        o.most,
      )
    : members.map((_, k) => k);
  // Each picked member's test probabilities once, for the chart; the choice above never read them.
  const test = new Map(o.select ? picked.map((k) => [k, members[k]!.model.rawProba(data.testX, data.mnist.test.n)] as const) : []);
  const selection: SelectionStep[] = o.select
    ? picked.map((_, i) => {
        const ks = picked.slice(0, i + 1);
        const onValidation = mean(ks.map((k) => validation[k]!));
        return {
          members: ks.map((k) => members[k]!.path),
          validationAccuracy: evaluate(onValidation, validationLabels).accuracy,
          validationLoss: Number(nll(onValidation, validationLabels).toFixed(5)),
          testAccuracy: evaluate(mean(ks.map((k) => test.get(k)!)), labelsOf(data.mnist.test)).accuracy,
        };
      })
    : [];
  const kept = picked.map((k) => members[k]!);
  // Members that read the same input share the model's input block; members that each see the digit their own
  // way (deslanted, width-normalised) carry their blocks inside the committee, which reads the raw 28×28.
  const shared = new Set(kept.map((m) => m.model.input.key)).size === 1;
  const committee = new Committee(
    kept.map((m) => m.net),
    shared ? null : kept.map((m) => m.model.input),
  );
  const first = kept[0]!.model;
  const input = shared ? first.input : new InputTransform(false, null);
  const model = new DigitModel(
    baseMetadata(data, {
      kind: Committee.kind,
      description: `committee of ${kept.length} MLPs (${kept.map((m) => m.net.sizes.join('-')).join(', ')}), probabilities averaged${shared ? '' : `, each on its own view (${kept.map((m) => m.model.input.describe()).join('; ')})`}; ${first.metadata.description.replace(/^softmax MLP [\d-]+, /, 'members: ')}`,
      seed: first.metadata.seed,
      preprocessing: shared ? first.metadata.preprocessing : 'raw pixels scaled to [0,1]; each member its own view',
      hyperparameters: {
        combine: 'mean of the members’ probabilities',
        ...(o.select && { selectedFrom: members.map((m) => m.path) }),
        ...(keep.length > 0 && { kept: keep }),
        members: kept.map((m) => ({
          file: m.path,
          sha256: m.sha256,
          command: m.model.metadata.command,
          seed: m.model.metadata.seed,
          sizes: m.net.sizes,
          validationAccuracy: m.model.metadata.metrics.validation?.accuracy,
          testAccuracy: m.model.metadata.metrics.test?.accuracy,
          input: m.model.input.describe(),
          trainedOn: m.model.metadata.hyperparameters.trainedOn,
        })),
      },
      trainSeconds: kept.reduce((s, m) => s + m.model.metadata.trainSeconds, 0),
      metrics: {},
      ...(o.select && { notes: { selection } }),
    }),
    input,
    committee,
  );
  const score = evaluate(model.predictProba(data.validationX, data.validation.n), validationLabels);
  model.metadata.metrics.validation = validationMetrics(score.accuracy, data.validation.n);
  return { model };
}
