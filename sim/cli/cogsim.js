#!/usr/bin/env node
// The cogsim command. The sources are TypeScript run through tsx, so a fresh clone needs
// no compile step before `npx cogsim`.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
