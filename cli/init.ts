import { constants } from 'node:fs';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { PROJECT_ROOT } from '../config/paths';

/** The worked example a project starts from (demo/byom): one ONNX scorer, its pipeline and rules, cases. */
const COPIED: readonly (readonly [from: string, to: string])[] = [
  ['demo/byom/payments-lr/model.json', 'models/payments-lr/model.json'],
  ['demo/byom/payments-lr/model.onnx', 'models/payments-lr/model.onnx'],
  ['demo/byom/pipelines/payments.yaml', 'pipelines/payments.yaml'],
  ['demo/byom/rules/payments.yaml', 'rules/payments.yaml'],
  ['demo/byom/cases.ndjson', 'cases/cases.ndjson'],
  ['demo/byom/labels.ndjson', 'cases/labels.ndjson'],
];

const DOTENV = `# Arbiter settings for this project. \`arbiter\` run from this folder reads them; a variable already
# set in the shell wins. Relative *_DIR paths are relative to this file.
ARBITER_MODELS_DIR=models
ARBITER_PIPELINES_DIR=pipelines
ARBITER_RULES_DIR=rules
# The embedded stack's data (Temporal's and PGlite's files): this project's own registry and decisions.
ARBITER_DATA_DIR=.arbiter
# Set these to use your own Temporal and PostgreSQL instead of the embedded stack:
# TEMPORAL_ADDRESS=localhost:7233
# DATABASE_URL=postgres://user@localhost:5432/arbiter
`;

const GITIGNORE = `.arbiter/
`;

const README = `# My Arbiter project

Scaffolded by \`arbiter init\`. Arbiter reads \`.env\` here, so from this folder \`arbiter dev\` registers
the model cards in \`models/\`, applies \`pipelines/\` and \`rules/\`, and serves — with these models,
not the demo's.

- \`models/payments-lr/\`: an example scorer (scikit-learn on synthetic card payments, exported to ONNX
  by \`demo/byom/train.py\` in Arbiter's checkout) and its card \`model.json\`. Add yours as
  \`models/<name>/model.json\` beside the model file.
- \`pipelines/payments.yaml\`: the pipeline deciding with it; \`rules/payments.yaml\`: the business rules.
- \`cases/\`: held-out cases and their true labels, to try decisions and feedback.

See "Bring your own models" in Arbiter's README for the walk-through.
`;

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** `arbiter init DIR` found files it would overwrite. */
export class InitConflictError extends Error {
  constructor(
    readonly dir: string,
    readonly conflicts: readonly string[],
  ) {
    super(
      `${dir} already has ${conflicts.join(', ')}: arbiter init writes only new files ` +
        '(choose another folder, or move those aside)',
    );
    this.name = 'InitConflictError';
  }
}

/**
 * `arbiter init [DIR]`: a project of one's own — models, a pipeline, a rule set, cases and a `.env`
 * pointing Arbiter at them. Writes nothing when any file it would write exists already.
 * @returns the files written, relative to DIR
 */
export async function initProject(dir: string): Promise<string[]> {
  const root = resolve(dir);
  const generated: [string, string][] = [
    ['.env', DOTENV],
    ['.gitignore', GITIGNORE],
    ['README.md', README],
  ];
  // A held-out case's input under a case id of its own, for `arbiter decide --input-file`: deciding it
  // does not make a second decision of a case the batch decides (feedback by case id would be ambiguous).
  const firstCase = (await readFile(join(PROJECT_ROOT, 'demo/byom/cases.ndjson'), 'utf8')).split('\n')[0] ?? '{}';
  const sample = { caseId: 'pay-sample', input: (JSON.parse(firstCase) as { input?: unknown }).input };
  generated.push(['cases/sample.json', `${JSON.stringify(sample, null, 2)}\n`]);
  const targets = [...generated.map(([to]) => to), ...COPIED.map(([, to]) => to)];
  const conflicts = [];
  for (const t of targets) if (await exists(join(root, t))) conflicts.push(t);
  if (conflicts.length > 0) throw new InitConflictError(dir, conflicts);
  for (const [from, to] of COPIED) {
    await mkdir(dirname(join(root, to)), { recursive: true });
    await copyFile(join(PROJECT_ROOT, from), join(root, to), constants.COPYFILE_EXCL);
  }
  for (const [to, text] of generated) await writeFile(join(root, to), text, { flag: 'wx' });
  return targets;
}

/** What to run next, from the folder the user is in. */
export function nextSteps(dir: string): string {
  const rel = relative(process.cwd(), resolve(dir)) || '.';
  const cd = rel === '.' ? '' : `cd ${rel} && `;
  return [
    `Arbiter project in ${rel}: models/, pipelines/, rules/, cases/ and .env (which points Arbiter at them).`,
    'Next:',
    `  ${cd}npx arbiter dev            # registers models/, applies pipelines/ and rules/, serves until Ctrl-C`,
    '  # then, from that folder in another terminal:',
    '  npx arbiter decide --pipeline payments --rules payments --input-file cases/sample.json',
  ].join('\n');
}
