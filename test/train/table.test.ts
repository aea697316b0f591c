import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { CLASSIFIERS } from '../../src/core/models/registry.js';
import { MODELS, modelRow, type OptionSpec } from '../../src/train/table.js';

const test = suite('model table');

test('every classifier the core reads has a row under its own name, in the same order; the fine-tune on corrections and the refit of confidence are rows of their own, with no bench row', () => {
  const own = MODELS.filter((m) => m.name === m.type.kind);
  assert.equal(
    own.map((m) => m.type.kind),
    CLASSIFIERS.map((c) => c.kind),
  );
  assert.equal(
    MODELS.filter((m) => !own.includes(m)).map((m) => [m.name, m.type.kind, m.fromFiles]),
    [
      ['feedback', 'mlp', true],
      ['recalibrate', 'mlp', true],
    ],
  );
  assert.equal(
    MODELS.filter((m) => m.noBenchRow).map((m) => m.name),
    ['feedback', 'recalibrate'],
  );
  for (const row of MODELS) assert.is(modelRow(row.name), row);
  assert.throws(() => modelRow('svm'), /unknown model "svm"; expected knn, knn-idm, forest, mlp/);
});

test("each row's flags are distinct and each value option has a default of its kind", () => {
  for (const row of MODELS) {
    const specs = Object.entries(row.options as Record<string, OptionSpec<unknown>>);
    const flags = specs.map(([, s]) => s.flag);
    assert.is(new Set(flags).size, flags.length, `${row.name}: duplicate flag`);
    for (const [key, spec] of specs) {
      const value = (row.defaults as Record<string, unknown>)[key];
      if (spec.kind === 'ints') assert.ok(Array.isArray(value), `${row.name} --${spec.flag}`);
      if (spec.kind === 'int' && value !== undefined) assert.ok(Number.isInteger(value), `${row.name} --${spec.flag}`);
      if (spec.kind === 'number') assert.type(value, 'number');
      if (spec.kind === 'switch') assert.is.not(value, spec.value, `${row.name} --${spec.flag} changes its default`);
    }
  }
});

test.run();
