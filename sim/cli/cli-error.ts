// The CLI's name for a user error: the same class as sim/run/user-error.ts (one line,
// exit 2), kept under this name so callers in sim/cli read naturally.
export { UserError as CliError } from '../run/user-error.ts';
