import type { DialectRouter } from './create-http-app.js';

/** The vendor dialects served beside the native API (API.md); each is a thin adapter over the engine. */
export const dialectRouters: readonly DialectRouter[] = [];
