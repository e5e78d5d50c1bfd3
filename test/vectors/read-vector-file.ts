import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A vector file from the source tree (docs/style.md §16). Compiled, this module sits in dist/test/vectors/, so the
 * repository root is three levels up; tsc does not copy JSON, and a copy could drift from the reviewed file.
 */
export const readVectorFile = <T>(name: string): T =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../../../test/vectors/${name}`, import.meta.url)), 'utf8')) as T;
