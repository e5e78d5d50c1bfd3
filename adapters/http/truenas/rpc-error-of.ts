import { isDomainError } from '../../../core/errors.js';
import { FieldError } from '../failure.js';
import { RpcError } from './rpc-error.js';

/**
 * The one table from anything a method throws to the JSON-RPC error sent (docs/style.md §9, §10). Engine refusals
 * become TrueNAS CallErrors: throttled is the product's own "Rate Limit Exceeded" (EBUSY), with the wait in
 * `extra`; a shed or busy engine is EBUSY too, unavailable storage EAGAIN. `null` marks an error nobody
 * expected: the caller logs it with the request id and sends the generic -32603.
 */
export const rpcErrorOf = (err: unknown): RpcError | null => {
  if (err instanceof RpcError) return err;
  if (err instanceof FieldError) return RpcError.invalidParams([[err.field, err.message]]);
  if (!isDomainError(err)) return null;
  switch (err.code) {
    case 'throttled':
      return RpcError.callError('EBUSY', 'Rate Limit Exceeded', err.retryAfterSeconds === undefined ? null : { retry_after: err.retryAfterSeconds });
    case 'overloaded':
    case 'stream_moved':
    case 'stale_check':
    case 'id_collision':
      return RpcError.callError('EBUSY', 'The server is busy; try again.', { retry_after: 1 });
    case 'unavailable':
      return RpcError.callError('EAGAIN', 'The service is temporarily unavailable.', { retry_after: 1 });
    case 'invalid_request':
    case 'weak_password':
      return RpcError.callError('EINVAL', 'Invalid request.');
    case 'invalid_credentials':
    case 'invalid_token':
    case 'username_taken':
    case 'username_lookalike':
    case 'username_mixed_scripts':
    case 'unknown_user':
    case 'factor_not_enrolled':
    case 'factor_already_active':
    case 'factor_unavailable':
    case 'unsupported_hash':
      return null;
    default: {
      const _exhaustive: never = err.code;
      return _exhaustive;
    }
  }
};
