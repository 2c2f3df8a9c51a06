import type { Command } from 'commander';
export function registerConform(_program: Command): void {}
