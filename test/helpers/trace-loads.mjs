// Preloaded with `node --import` by test/cli/lazy-loading.test.ts: records every module URL the
// process loads (through any loader, tsx's included) in the file named by TRACE_LOADS_FILE.
import { register } from 'node:module';

register(new URL('./trace-loads-hooks.mjs', import.meta.url), { data: { file: process.env.TRACE_LOADS_FILE } });
