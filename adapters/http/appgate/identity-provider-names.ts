import type { Context } from 'koa';

/**
 * GET /admin/identity-providers/names: the providers an admin can sign in with, in the spec's shape. Only the
 * built-in local one exists, of type "Credentials" (sdpctl picks it when it is alone and signs in with a password).
 */
export const identityProviderNames = () => (ctx: Context) => {
  ctx.body = { data: [{ name: 'local', type: 'Credentials' }] };
};
