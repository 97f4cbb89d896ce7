#!/usr/bin/env node
// The companion is TypeScript run through tsx, so the bin works straight from a checkout.
import { register } from 'tsx/esm/api';

register();
const { runFromProcess } = await import('../src/cli.ts');
await runFromProcess();
