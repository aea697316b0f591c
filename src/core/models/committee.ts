import { CLASSES, PIXELS } from '../frame.js';
import { InputTransform, type InputJson } from '../features/transform.js';
import { ModelFormatError } from '../util/errors.js';
import { modelBlock } from '../util/model-json.js';
import type { Classifier, ClassifierJson } from './classifier.js';
import { Mlp, type MlpJson } from './mlp.js';
import { type Picture, unitsPicture } from './pictures.js';

export interface CommitteeJson extends ClassifierJson {
  name: 'committee';
  version: 1;
  /** How the members' probabilities are combined: their plain average. */
  combine: 'mean';
  members: MlpJson[];
  /**
   * Each member's own input transform (deslanting, width normalisation), applied to the committee's 28×28
   * input; absent when the members share the model's input block.
   */
  inputs?: InputJson[];
}

/**
 * A committee of MLPs trained apart (other seeds), as in Meier et al. 2011: the average of their
 * probabilities. Members that err on different images outvote each other, and members that were each
 * taught to be unsure of non-digits stay unsure together.
 */
export class Committee implements Classifier {
  static readonly kind = 'committee';
  static readonly legacyNames: readonly string[] = [];
  readonly name = Committee.kind;

  /** For each member, the first member that sees the digit the same way: two deslanted members share one transformed input. */
  private readonly sameViewAs: readonly number[];

  constructor(
    readonly members: readonly Mlp[],
    /** Each member's own view of the 28×28 input (Meier et al.'s normalisations), or null: all read the same input. */
    readonly inputs: readonly InputTransform[] | null = null,
  ) {
    if (members.length < 2) throw new RangeError(`a committee needs at least 2 members, got ${members.length}`);
    if (inputs) {
      if (inputs.length !== members.length) throw new RangeError(`${inputs.length} input transforms for ${members.length} members`);
      const wrong = members.findIndex((m, i) => m.inputSize !== inputs[i]!.outputSize);
      if (wrong >= 0)
        throw new RangeError(`committee member ${wrong} reads ${members[wrong]!.inputSize} features, its input transform gives ${inputs[wrong]!.outputSize}`);
    } else {
      const sizes = new Set(members.map((m) => m.inputSize));
      if (sizes.size !== 1) throw new RangeError(`committee members take different inputs (${[...sizes].join(', ')} features)`);
    }
    const keys = inputs?.map((t) => t.key) ?? [];
    this.sameViewAs = keys.map((key) => keys.indexOf(key));
  }

  get inputSize(): number {
    return this.inputs ? PIXELS : this.members[0]!.inputSize;
  }

  predictProba(x: Float32Array, n: number): Float32Array {
    const out = new Float32Array(n * CLASSES);
    const views = new Map<number, Float32Array>();
    for (const [k, m] of this.members.entries()) {
      let input = x;
      if (this.inputs) {
        const first = this.sameViewAs[k]!;
        input = views.get(first) ?? this.inputs[first]!.apply(x, n);
        views.set(first, input);
      }
      const p = m.predictProba(input, n);
      for (let i = 0; i < out.length; i++) out[i]! += p[i]!;
    }
    for (let i = 0; i < out.length; i++) out[i]! /= this.members.length;
    return out;
  }

  /** Each member's first-layer units. */
  pictures(): Record<string, Picture> {
    const out: Record<string, Picture> = {};
    this.members.forEach((m, k) => {
      const p = unitsPicture(m, `Member ${k + 1} of ${this.members.length}: first-layer units`, 'digit');
      if (p) out[`member-${k + 1}`] = p;
    });
    return out;
  }

  toJSON(): CommitteeJson {
    return {
      name: this.name,
      version: 1,
      combine: 'mean',
      members: this.members.map((m) => m.toJSON()),
      ...(this.inputs && { inputs: this.inputs.map((t) => t.toJSON()) }),
    };
  }

  static load(json: unknown): Committee {
    const j = modelBlock<CommitteeJson>(json, Committee.kind, 1, Committee.legacyNames);
    if (j.combine !== 'mean') throw new ModelFormatError(`invalid model: committee combine must be "mean", got ${JSON.stringify(j.combine)}`);
    if (!Array.isArray(j.members) || j.members.length < 2) throw new ModelFormatError('invalid model: a committee needs a list of at least 2 members');
    const members = j.members.map((m, i) => {
      try {
        return Mlp.load(m);
      } catch (e) {
        if (e instanceof ModelFormatError) throw new ModelFormatError(`committee member ${i}: ${e.message}`);
        throw e;
      }
    });
    if (j.inputs !== undefined && (!Array.isArray(j.inputs) || j.inputs.length !== members.length)) {
      throw new ModelFormatError('invalid model: a committee\'s "inputs" must list one input block per member');
    }
    try {
      return new Committee(members, j.inputs ? j.inputs.map((t) => InputTransform.load(t)) : null);
    } catch (e) {
      throw new ModelFormatError(`invalid model: ${(e as Error).message}`);
    }
  }
}
