import type { Context } from 'koa';

export interface MykaarmaError {
  readonly errorCode: number;
  readonly errorTitle: string;
  readonly errorMessage: string;
}

/** The page's envelope around every answer, success or not: `{errors, warnings, apiRequestId, …}`. */
export const envelope = (ctx: Context, errors: readonly MykaarmaError[], fields: Record<string, unknown> = {}) => ({
  errors,
  warnings: [],
  apiRequestId: ctx.state.requestId as string,
  ...fields,
});
