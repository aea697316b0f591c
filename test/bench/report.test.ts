import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReport } from '../../benchmarks/report.js';
import { chooseBest, type ModelEntry, readResults, upsert, writeResults, type Results } from '../../benchmarks/results.js';
import { sha256 } from '../../src/data/mnist.js';

const test = suite('bench results and report');

test('the committed results render into a report with every model, section and chart it has figures for', () => {
  const results = readResults();
  assert.ok(results.models.length >= 3, 'benchmarks/results.json has the models');
  const dir = mkdtempSync(join(tmpdir(), 'report-'));
  renderReport(results, dir);
  const report = readFileSync(join(dir, 'report.md'), 'utf8');
  for (const m of results.models) {
    assert.ok(report.includes(`| **${m.name}**: ${m.description} | ${(100 * m.testAccuracy).toFixed(2)}%`), m.name);
  }
  for (const section of ['## Models', '## Robustness', '## Not a digit', '## Numbers']) assert.ok(report.includes(section), section);
  const charts = readdirSync(join(dir, 'charts'));
  assert.ok(charts.length >= 3, charts.join(' '));
  for (const c of charts) assert.match(readFileSync(join(dir, 'charts', c), 'utf8'), /^<svg[^>]*>[\s\S]*<\/svg>\s*$/);
  // Every chart the report shows is a file beside it.
  for (const [, file] of report.matchAll(/!\[[^\]]*\]\((charts\/[^)]+)\)/g)) assert.ok(existsSync(join(dir, file!)), file);
});

test('results with only a model render, without the sections they lack', () => {
  const results: Results = {
    generated: '2026-12-03T00:00:00.000Z',
    machine: { cpus: 2, cpuModel: 'test', node: 'v20' },
    models: [],
    comparisons: [],
  };
  const row = {
    name: 'knn',
    kind: 'knn',
    description: 'a kNN',
    file: 'models/knn.json',
    testAccuracy: 0.9849,
    testCi95: [0.982, 0.987] as [number, number],
    validationAccuracy: 0.985,
    trainSeconds: 60,
    predictMsPerImage: 0.5,
    modelBytes: 16e6,
  };
  upsert(results.models, row as Results['models'][number]);
  upsert(results.models, { ...row, testAccuracy: 0.9851 } as Results['models'][number]);
  assert.is(results.models.length, 1, 'upsert replaces a row of the same name');
  const dir = mkdtempSync(join(tmpdir(), 'report-'));
  renderReport(results, dir);
  const report = readFileSync(join(dir, 'report.md'), 'utf8');
  assert.ok(report.includes('| **knn**: a kNN | 98.51% (98.20%–98.70%) | 98.50%'), report.slice(0, 1500));
  assert.not.ok(report.includes('## Numbers'));
  writeResults(results, join(dir, 'results.json'));
  assert.equal(readResults(join(dir, 'results.json')).models, results.models);
});

test('results that are not JSON are said so, and the bench starts afresh rather than failing halfway', () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-'));
  writeFileSync(join(dir, 'results.json'), '{"models": [');
  const { error } = console;
  const said: string[] = [];
  console.error = (m: string) => said.push(m);
  try {
    assert.equal(readResults(join(dir, 'results.json')).models, []);
  } finally {
    console.error = error;
  }
  assert.match(said.join('\n'), /results\.json is not valid JSON; starting afresh/);
});

test('every bench module the bench imports loads in the main thread (a worker entry imported by mistake would run)', async () => {
  // Scripts that run on import (the bench itself, screenshots, a flood process, TensorFlow.js's run, which the
  // bench bundles before it runs it) and thread entries are left out.
  const scripts = new Set(['bench.ts', 'screenshots.ts', 'flood.ts', 'tfjs_mlp.ts', 'pipeline-worker.ts', 'robustness-task.ts']);
  const modules = readdirSync('benchmarks').filter((f) => f.endsWith('.ts') && !scripts.has(f));
  assert.ok(modules.length >= 12, modules.join(' '));
  for (const f of modules) await import(`../../benchmarks/${f}`);
});

test('a full run serves the best model it measured, and leaves the served one when it did not measure it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'choose-'));
  const entry = (name: string, accuracy: number, refuses: boolean): ModelEntry => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, `{"name":"${name}"}`);
    const bytes = readFileSync(file);
    return {
      name,
      kind: name,
      description: name,
      file,
      testAccuracy: accuracy,
      testCi95: [0, 1],
      validationAccuracy: accuracy,
      trainSeconds: 1,
      predictMsPerImage: 1,
      modelBytes: bytes.length,
      sha256: sha256(bytes),
      refuses,
      confusion: [],
      perClass: [],
    };
  };
  const knn = entry('knn', 0.988, false);
  const committee = entry('committee', 0.995, true);
  const mlp = entry('mlp', 0.992, true);
  const results = { models: [knn, mlp, committee] } as Results;
  // Models that can refuse come first, then the best by validation.
  assert.is(chooseBest(results, committee.sha256!)?.name, 'committee');
  assert.is(chooseBest({ models: [knn, mlp] } as Results, mlp.sha256!)?.name, 'mlp');
  // The served committee was not measured (a default run without its task): the kNN is not served in its place.
  assert.is(chooseBest({ models: [knn] } as Results, committee.sha256!), null);
  // A file changed since it was measured is no candidate.
  writeFileSync(mlp.file, '{"name":"mlp, retrained"}');
  assert.is(chooseBest({ models: [knn, mlp] } as Results, null)?.name, 'knn');
});

test.run();
