#!/usr/bin/env node
// The `arbiter` command. Arbiter runs its TypeScript sources through tsx, so there is no build step.
// On a Node older than 24 it runs again on the Node 24 setup put in .tools (scripts/node24.js).
import { relaunchOnNode24 } from '../scripts/node24.js';

await relaunchOnNode24();
const { register } = await import('tsx/esm/api');
register();
await import('../cli/main.ts');
