/** One step of a trainer's work: `task` names what is running; done reaches total when it ends. */
export interface ProgressEvent {
  task: string;
  done: number;
  total: number;
  /** A short live figure, e.g. "epoch 3/60 loss 0.1234". */
  status?: string;
}

/** How a trainer talks to whoever runs it: it reports through onProgress and polls shouldStop. */
export interface TrainHooks {
  onProgress?: (event: ProgressEvent) => void;
  /** Polled between steps; true ends training early, keeping the best model so far. */
  shouldStop?: () => boolean;
}

/** Reports for one task: `step(done)` as it goes and `end()` once, with done = total. */
export function reporter(hooks: TrainHooks, task: string, total: number): { step(done: number, status?: string): void; end(status?: string): void } {
  const report = hooks.onProgress;
  return {
    step: (done, status) => report?.({ task, done, total, ...(status !== undefined && { status }) }),
    end: (status) => report?.({ task, done: total, total, ...(status !== undefined && { status }) }),
  };
}
