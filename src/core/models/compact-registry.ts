import type { ClassifierType } from './classifier.js';
import { Committee } from './committee.js';
import { Mlp } from './mlp.js';
import { DigitModel } from './model.js';

/**
 * The classifiers that have a compact form (compact-form.ts): the only ones the server sends the
 * pages, so the only ones the pages' bundles carry (registry.ts reads every kind).
 */
export const COMPACT_CLASSIFIERS: readonly ClassifierType[] = [Mlp, Committee];

/** A compact model (GET /api/model/compact.json) from its JSON text, as the pages read it. */
export function parseCompactModel(text: string, source?: string): DigitModel {
  return DigitModel.fromJSON(text, COMPACT_CLASSIFIERS, source);
}
