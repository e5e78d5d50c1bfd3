import { RpcError } from './rpc-error.js';
import type { ConnectionOptions, RpcMethod } from './socket-session.js';

const names: readonly (keyof ConnectionOptions)[] = ['legacy_jobs', 'private_methods', 'py_exceptions'];

const invalid = (name: string, message: string): never => {
  throw RpcError.invalidParams([[`core.set_options${name}`, message]]);
};

/**
 * core.set_options `[options]` → the connection's options after the change, as middlewared 25.10 and later answer
 * (CoreSetOptionsResult; 25.04 answered null). As in its CoreOptions model, every option is optional and a strict
 * boolean, and unknown members are ignored ("newer clients might set more options than we support"). Nothing
 * here changes what is sent: the engine has no jobs and no private methods, and never sends a Python exception.
 * Allowed without a login and not rate limited in the product; here it counts toward the anonymous budget.
 */
export const coreSetOptions: RpcMethod = async (session, params) => {
  if (params.length === 0) invalid('.options', 'Field required');
  if (params.length > 1) invalid('', `Too many arguments (expected 1, found ${params.length})`);
  const options = params[0];
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return invalid('.options', 'Input should be an object');
  const given = options as Record<string, unknown>;
  for (const name of names) {
    if (Object.hasOwn(given, name) && typeof given[name] !== 'boolean') invalid(`.options.${name}`, 'Input should be a valid boolean');
  }
  for (const name of names) if (Object.hasOwn(given, name)) session.options[name] = given[name] as boolean;
  return { ...session.options };
};
