/** What the Appgate dialect reads from the environment, once, when its router is created. */
export interface AppgateSettings {
  /** Shown by Appgate clients after login; `LATCHKEY_APPGATE_MOTD`, empty by default. */
  readonly messageOfTheDay: string;
}

export const appgateSettings = (env: NodeJS.ProcessEnv = process.env): AppgateSettings => ({
  messageOfTheDay: (env.LATCHKEY_APPGATE_MOTD ?? '').slice(0, 4096),
});
