import { FieldError } from './failure.js';

/** Typed reads of a parsed body: a missing or ill-typed field is a 400 naming the field, nothing more. */
export const stringField = (body: Record<string, unknown>, name: string, max = 4096): string => {
  const v = Object.hasOwn(body, name) ? body[name] : undefined;
  if (typeof v !== 'string') throw new FieldError(name, `${name} must be a string`);
  if (v.length > max) throw new FieldError(name, `${name} is too long`);
  return v;
};

export const optionalString = (body: Record<string, unknown>, name: string, max = 4096): string | undefined =>
  !Object.hasOwn(body, name) || body[name] === undefined ? undefined : stringField(body, name, max);

export const optionalBoolean = (body: Record<string, unknown>, name: string): boolean | undefined => {
  const v = Object.hasOwn(body, name) ? body[name] : undefined;
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new FieldError(name, `${name} must be a boolean`);
  return v;
};

/** A field passed on as received (codes: their shape is judged in core and a bad one counts as a failure). */
export const rawField = (body: Record<string, unknown>, name: string): unknown => (Object.hasOwn(body, name) ? body[name] : undefined);
