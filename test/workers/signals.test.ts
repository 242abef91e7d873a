import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../config/env';

// A real process, really signalled: it prints which stop request it got, then exits 0 on its own.
const SCRIPT = `
import { untilInterrupted } from './workers/signals.ts';
const stop = untilInterrupted();
setInterval(() => undefined, 1000);
process.stdout.write('ready\\n');
stop.then((signal) => { process.stdout.write(signal + '\\n'); process.exit(0); });
`;

describe('untilInterrupted', () => {
  // SIGHUP too: a closed terminal would otherwise kill Arbiter without stopping its dev server.
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    'resolves on %s',
    async (signal) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      const exited = once(child, 'exit');
      while (!out.includes('ready')) await once(child.stdout, 'data');
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      expect({ code, out }).toEqual({ code: 0, out: `ready\n${signal}\n` });
    },
    20_000,
  );
});
