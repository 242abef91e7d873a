#!/usr/bin/env node
// The `arbiter` command. Arbiter runs its TypeScript sources through tsx, so there is no build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
