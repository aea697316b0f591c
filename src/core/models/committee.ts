import { CLASSES } from '../frame.js';
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

  constructor(readonly members: readonly Mlp[]) {
    if (members.length < 2) throw new RangeError(`a committee needs at least 2 members, got ${members.length}`);
    const sizes = new Set(members.map((m) => m.inputSize));
    if (sizes.size !== 1) throw new RangeError(`committee members take different inputs (${[...sizes].join(', ')} features)`);
  }

  get inputSize(): number {
    return this.members[0]!.inputSize;
  }

  predictProba(x: Float32Array, n: number): Float32Array {
    const out = new Float32Array(n * CLASSES);
    for (const m of this.members) {
      const p = m.predictProba(x, n);
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
    return { name: this.name, version: 1, combine: 'mean', members: this.members.map((m) => m.toJSON()) };
  }

  toCompactJSON(): CommitteeJson {
    return { ...this.toJSON(), members: this.members.map((m) => m.toCompactJSON()) };
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
    if (new Set(members.map((m) => m.inputSize)).size !== 1) throw new ModelFormatError('invalid model: committee members take different inputs');
    return new Committee(members);
  }
}
