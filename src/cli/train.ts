import { formatEvaluation } from '../eval/metrics.js';
import { saveModel } from '../io/model-file.js';
import { commandLine, scoreModel, trainingData } from '../train/common.js';
import { fitConfidence } from '../train/confidence.js';
import { DEFAULT_DETECTOR, trainDetector } from '../train/detector.js';
import { progressBars } from './progress.js';
import { runCli } from './run.js';
import { readInput } from '../io/files.js';
import type { CommitteeTrainOptions } from '../train/committee.js';
import { membersPlan } from './members-spec.js';
import { flagConfig, trainArgs, usage } from './train-args.js';

runCli(usage(), flagConfig(), async ({ values }) => {
  const { row, options, out } = trainArgs(values);
  const name = row.name;
  const spec = (options as Partial<CommitteeTrainOptions>).membersSpec;
  if (spec) {
    console.log(membersPlan(readInput(spec, 'members spec', { maxBytes: 1_000_000 }).toString('utf8'), spec).join('\n'));
    return;
  }
  const data = trainingData();
  let stopping = false;
  const onInterrupt = () => {
    if (stopping) process.exit(130);
    stopping = true;
    console.error('\nstopping after this batch; the best model so far will be written (Ctrl-C again to quit now)');
  };
  if (row.resumable) process.on('SIGINT', onInterrupt);
  const { model, interrupted } = await row.train(data, options, {
    out,
    onProgress: progressBars(),
    shouldStop: () => stopping,
    resume: values.resume === true,
  });
  process.off('SIGINT', onInterrupt);
  if (interrupted) console.log(`interrupted: continue with npm run train -- --model ${name} --resume${values.out ? ` --out ${out}` : ''}`);
  if (values.calibrate && !interrupted) {
    const detector = values.detector ? await trainDetector(data, DEFAULT_DETECTOR, commandLine(), { onProgress: progressBars() }) : model.confidence?.detector;
    model.confidence = await fitConfidence(model, data, commandLine(), detector);
    const c = model.confidence;
    console.error(
      `calibrated: temperature ${c.temperature}, "not a digit" ${c.topWeight ? `when "a digit" and the top probability combined (its log-odds weighted ${c.topWeight}) are below ${c.digitBelow}` : `below ${c.refuseBelow}${c.detector ? ` or the detector's "a digit" below ${c.digitBelow}` : ''}`}; ${JSON.stringify(c.figures)}`,
    );
  }
  const { test, predictMsPerImage } = scoreModel(model, data);
  console.log(formatEvaluation(test, `${model.metadata.description}: MNIST test set`, predictMsPerImage));
  saveModel(model, out);
  console.log(`\nwrote ${out}; serve it with npm run promote -- ${out}`);
});
