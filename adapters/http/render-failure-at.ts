import type { Context } from 'koa';
import { maxSupportedVersion, peerMediaType, requestedVersion } from './appgate/peer-version.js';
import { renderAppgateFailure } from './appgate/render-appgate-failure.js';
import type { RenderFailure } from './catch-failures.js';
import { renderMykaarmaFailure } from './mykaarma/render-mykaarma-failure.js';
import { renderNativeFailure } from './native/render-native-failure.js';
import { renderOracleFailure } from './oracle/render-oracle-failure.js';

/**
 * Appgate answers in its peer media type, errors included: the version asked for when it is served, else the
 * newest served. An unknown path is 404 whatever the Accept (no route, so no version check: docs/api.md).
 */
const renderAppgateOutsideRoutes: RenderFailure = (ctx: Context, failure) => {
  renderAppgateFailure(ctx, failure);
  ctx.type = peerMediaType(requestedVersion(ctx.get('accept')) ?? maxSupportedVersion);
};

/**
 * The vendor prefixes whose clients read errors in their product's shape (docs/api.md, "Unknown paths and
 * methods"). Everything else, `/api/` and `/websocket` of TrueNAS (a plain GET there, without an upgrade,
 * is not JSON-RPC) included, answers in the native shape.
 */
export const failurePrefixes: readonly { readonly prefix: string; readonly render: RenderFailure }[] = [
  { prefix: '/ccadmin', render: renderOracleFailure },
  { prefix: '/admin', render: renderAppgateOutsideRoutes },
  { prefix: '/manage', render: renderMykaarmaFailure },
];

/** The prefix a path falls under, or null; case-insensitive, as koa-router matches routes. */
export const prefixOf = (path: string): string | null => {
  const p = path.toLowerCase();
  return failurePrefixes.find(({ prefix }) => p === prefix || p.startsWith(`${prefix}/`))?.prefix ?? null;
};

/** The renderer of the dialect that owns a path's prefix: for answers no route gave (404, 405, a fault outside a dialect). */
export const renderFailureAt = (path: string): RenderFailure => {
  const prefix = prefixOf(path);
  return failurePrefixes.find((p) => p.prefix === prefix)?.render ?? renderNativeFailure;
};
