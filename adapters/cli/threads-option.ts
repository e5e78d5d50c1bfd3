/** `--threads N` of replay and verify: undefined when absent (the command chooses), an Error when not a count. */
export const threadsOption = (args: readonly string[]): number | undefined | Error => {
  const at = args.indexOf('--threads');
  if (at === -1) return undefined;
  const value = args[at + 1] ?? '';
  const n = /^[1-9][0-9]{0,2}$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) ? n : new Error(`--threads takes a count from 1 to 999, not ${JSON.stringify(value)}`);
};
