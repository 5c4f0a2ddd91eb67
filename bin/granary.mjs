#!/usr/bin/env node
// The `granary` command: runs the TypeScript sources through tsx (DESIGN §2).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
