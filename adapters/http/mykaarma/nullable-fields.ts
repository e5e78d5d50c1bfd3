import { optionalBoolean, optionalString } from '../fields.js';

/**
 * Optional fields where JSON `null` means absent: the product's Java clients serialise unset fields as null.
 * Anything else of the wrong type is still a 400 naming the field.
 */
const present = (body: Record<string, unknown>, name: string): boolean => Object.hasOwn(body, name) && body[name] !== null;

export const nullableString = (body: Record<string, unknown>, name: string, max = 4096): string | undefined =>
  present(body, name) ? optionalString(body, name, max) : undefined;

export const nullableBoolean = (body: Record<string, unknown>, name: string): boolean | undefined =>
  present(body, name) ? optionalBoolean(body, name) : undefined;

/** A code, passed on as received (its shape is judged in core and a bad one counts as a failure, docs/security.md §5). */
export const nullableRaw = (body: Record<string, unknown>, name: string): unknown => (present(body, name) ? body[name] : undefined);
