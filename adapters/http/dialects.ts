import { appgateRouter } from './appgate/appgate-router.js';
import type { DialectRouter } from './create-http-app.js';
import { mykaarmaRouter } from './mykaarma/mykaarma-router.js';
import { oracleRouter } from './oracle/oracle-router.js';

/** The vendor dialects served beside the native API (docs/api.md); each is a thin adapter over the engine. */
export const dialectRouters: readonly DialectRouter[] = [
  oracleRouter,
  appgateRouter,
  mykaarmaRouter,
];
