// Flag parsers for commander that fail with one clear line naming the flag and the value.
import { InvalidArgumentError } from 'commander';

export function wholeNumber(flag: string): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`${flag} takes a whole number, got '${value}'`);
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`${flag} ${value} is too large`);
    return n;
  };
}

export function oneOf<T extends string>(flag: string, allowed: readonly T[]): (value: string) => T {
  return (value: string) => {
    if (!(allowed as readonly string[]).includes(value)) throw new InvalidArgumentError(`${flag} takes one of ${allowed.join(', ')}, got '${value}'`);
    return value as T;
  };
}
