/**
 * Trains Arbiter's TensorFlow.js demo model in Node (pure-JS `@tensorflow/tfjs`, cpu backend) and
 * writes it, with a registry-ready card, to demo/models/phishing-tfjs/:
 *   tfjs/model.json + tfjs/weights.bin  the Layers model, in the standard TF.js format
 *   model.json                          the registry card (same shape as the sklearn models' cards)
 *   reference-scores.json               caseId -> score on the held-out split, for the adapter test
 *
 * Data: the same stratified training split as the scikit-learn models (written by train.py), so
 * the held-out metrics are comparable. Deterministic: seeded initializers, no shuffling (the split
 * is already in random order), single-threaded cpu backend; reruns write byte-identical weights.
 *
 * Run: npx tsx demo/models/train-tfjs.ts
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileLoadHandler, fileSaveHandler } from '../../models/tfjs-io';

const MODELS = fileURLToPath(new URL('.', import.meta.url));
const DATA = fileURLToPath(new URL('../data/', import.meta.url));
const NAME = 'phishing-tfjs';
const OUT = join(MODELS, NAME);
const SEED = 42;
const HIDDEN = 16;
const EPOCHS = 60;
const BATCH_SIZE = 32;
const LEARNING_RATE = 0.01;
const TOLERANCE = 1e-6;

interface Row {
  input: Record<string, number>;
  label: number;
}
interface HoldoutCase extends Row {
  caseId: string;
}

const readJson = async <T>(path: string): Promise<T> => JSON.parse(await readFile(path, 'utf8')) as T;
const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/** ROC AUC as the Mann-Whitney U statistic (ties count one half), as scikit-learn computes it. */
function rocAuc(scores: number[], labels: number[]): number {
  const pos = scores.filter((_, i) => labels[i] === 1);
  const neg = scores.filter((_, i) => labels[i] === 0);
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

function thresholdMetrics(scores: number[], labels: number[]): { accuracy: number; f1: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let correct = 0;
  scores.forEach((s, i) => {
    const predicted = s >= 0.5 ? 1 : 0;
    if (predicted === labels[i]) correct += 1;
    if (predicted === 1 && labels[i] === 1) tp += 1;
    if (predicted === 1 && labels[i] === 0) fp += 1;
    if (predicted === 0 && labels[i] === 1) fn += 1;
  });
  return { accuracy: correct / scores.length, f1: (2 * tp) / (2 * tp + fp + fn) };
}

function buildModel(width: number): tf.Sequential {
  const model = tf.sequential({ name: 'phishing_tfjs' });
  // Explicit names: TF.js otherwise numbers layers from a process-wide counter.
  model.add(
    tf.layers.dense({
      name: 'hidden',
      inputShape: [width],
      units: HIDDEN,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: SEED }),
    }),
  );
  model.add(
    tf.layers.dense({
      name: 'score',
      units: 1,
      activation: 'sigmoid',
      kernelInitializer: tf.initializers.glorotUniform({ seed: SEED + 1 }),
    }),
  );
  model.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: 'binaryCrossentropy' });
  return model;
}

function predict(model: tf.LayersModel, rows: number[][]): number[] {
  return tf.tidy(() => Array.from((model.predict(tf.tensor2d(rows)) as tf.Tensor).dataSync()));
}

async function main(): Promise<void> {
  tf.enableProdMode(); // silences the "install tfjs-node" banner: no native builds here
  await tf.setBackend('cpu');
  await tf.ready();
  const gbCard = await readJson<Record<string, unknown> & { config: { features: string[] }; card: { data: object } }>(
    join(MODELS, 'phishing-gb', 'model.json'),
  );
  const features = gbCard.config.features;
  const toRow = (r: Row): number[] => features.map((f) => r.input[f] ?? Number.NaN);
  const train = await readJson<Row[]>(join(DATA, 'phishing-train.json'));
  const holdout = await readJson<HoldoutCase[]>(join(DATA, 'phishing-holdout.json'));

  const started = performance.now();
  const model = buildModel(features.length);
  const xs = tf.tensor2d(train.map(toRow));
  const ys = tf.tensor2d(
    train.map((r) => [r.label]),
    [train.length, 1],
  );
  const history = await model.fit(xs, ys, { epochs: EPOCHS, batchSize: BATCH_SIZE, shuffle: false, verbose: 0 });
  tf.dispose([xs, ys]);
  const trainSeconds = (performance.now() - started) / 1000;
  const finalLoss = history.history.loss?.at(-1) as number;

  const labels = holdout.map((c) => c.label);
  const scores = predict(model, holdout.map(toRow));
  const { accuracy, f1 } = thresholdMetrics(scores, labels);
  const metrics = {
    roc_auc: round4(rocAuc(scores, labels)),
    'accuracy_at_0.5': round4(accuracy),
    'f1_at_0.5': round4(f1),
  };

  // Export check: what the saved files give back must be what was trained.
  await model.save(fileSaveHandler(join(OUT, 'tfjs')));
  const reloaded = await tf.loadLayersModel(fileLoadHandler(join(OUT, 'tfjs')));
  const again = predict(reloaded, holdout.map(toRow));
  const maxDiff = Math.max(...again.map((s, i) => Math.abs(s - (scores[i] ?? Number.NaN))));
  if (!(maxDiff <= TOLERANCE)) throw new Error(`reloaded model differs from the trained one by ${maxDiff}`);

  const layers = `Dense(${features.length}->${HIDDEN}, relu) -> Dense(1, sigmoid)`;
  const card = {
    name: NAME,
    kind: 'tfjs',
    uri: `${NAME}/tfjs`,
    config: { features, outputColumn: 0 },
    inputSchema: gbCard.inputSchema,
    outputSchema: gbCard.outputSchema,
    framework:
      `TensorFlow.js ${tf.version.tfjs} (@tensorflow/tfjs, cpu backend), Layers model: ${layers}; ` +
      `Adam(lr ${LEARNING_RATE}), binary cross-entropy, ${EPOCHS} epochs, batch ${BATCH_SIZE}`,
    trainingData: gbCard.trainingData,
    metrics,
    description: 'Small dense neural network (TensorFlow.js): probability that a web page is a phishing page.',
    aliases: ['champion'],
    card: {
      data: gbCard.card.data,
      training: {
        architecture: layers,
        parameters: model.countParams(),
        optimizer: { name: 'adam', learningRate: LEARNING_RATE },
        loss: 'binaryCrossentropy',
        epochs: EPOCHS,
        batchSize: BATCH_SIZE,
        shuffle: false,
        seed: SEED,
        finalTrainingLoss: round4(finalLoss),
      },
      export_check: { max_abs_diff_vs_training: maxDiff, tolerance: TOLERANCE },
      reference_scores: 'reference-scores.json',
    },
  };
  await writeFile(join(OUT, 'model.json'), JSON.stringify(card, null, 2) + '\n');
  const reference = Object.fromEntries(holdout.map((c, i) => [c.caseId, scores[i]]));
  await writeFile(join(OUT, 'reference-scores.json'), JSON.stringify(reference, null, 1) + '\n');
  console.log(`${NAME}: trained in ${trainSeconds.toFixed(1)} s, final loss ${finalLoss.toFixed(4)}`, metrics);
}

await main();
