import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { PhaseSettings } from './measure';
import type { PairedSettings } from './paired';

export interface Settings extends PhaseSettings {
  quick: boolean;
  /** Fan-out widths of the parallel step. */
  fanoutSizes: number[];
  fanout: { warmUp: number; sequential: number };
  /** The target ratios in alternating slices of `floor` and `arbiter-full` (paired.ts); lanes as above. */
  paired: Omit<PairedSettings, 'lanes'>;
}

/**
 * Defaults: eight variants, the fan-out section and the paired slices in under 5 minutes on 2 cores
 * (open loops of 5 s to stay there).
 */
const FULL: Settings = {
  quick: false,
  warmUp: 20,
  sequential: 100,
  closedSeconds: 20,
  lanes: 16,
  openSeconds: 5,
  fanoutSizes: [1, 8, 32],
  fanout: { warmUp: 5, sequential: 30 },
  paired: { rounds: 4, sequential: 20, closedSeconds: 3 },
};

/** `--quick`: the same phases, short enough for CI (~1 minute with the stack's start); rougher numbers. */
const QUICK: Settings = {
  ...FULL,
  quick: true,
  warmUp: 5,
  sequential: 20,
  closedSeconds: 4,
  openSeconds: 3,
  fanout: { warmUp: 3, sequential: 10 },
  paired: { rounds: 2, sequential: 5, closedSeconds: 1 },
};

const QuickEnvSchema = z.enum(['', '0', '1', 'true', 'false']).default('');

/** `--quick` or BENCH_QUICK=1 choose the short run; anything else on the command line is an error. */
export function settingsFrom(argv = process.argv.slice(2), env = process.env): Settings {
  const { values } = parseArgs({ args: argv, options: { quick: { type: 'boolean' } }, strict: true });
  const fromEnv = QuickEnvSchema.parse(env.BENCH_QUICK);
  return values.quick === true || fromEnv === '1' || fromEnv === 'true' ? QUICK : FULL;
}
