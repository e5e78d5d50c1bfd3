import { RpcError } from './rpc-error.js';

/** Methods that take no arguments refuse any (the product's schemas have no additional items). */
export const noParams = (method: string, params: readonly unknown[]): void => {
  if (params.length > 0) throw RpcError.invalidParams([[method, 'Too many arguments']]);
};
