export interface ProbeState {
  readonly attempts: number;
}

export const initialProbeState = (): ProbeState => ({ attempts: 0 });
