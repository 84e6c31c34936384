import type fc from 'fast-check';

/**
 * Replaying a failing model-based run: fast-check prints `seed`, `path` and, for command sequences, a
 * `replayPath`. Set them as MODEL_SEED, MODEL_PATH and MODEL_REPLAY_PATH to run exactly that case again;
 * MODEL_RUNS overrides the number of runs.
 */

const env = process.env;
const seed = env['MODEL_SEED'] === undefined ? undefined : Number(env['MODEL_SEED']);
const path = env['MODEL_PATH'];
const replayPath = env['MODEL_REPLAY_PATH'];
const runs = env['MODEL_RUNS'] === undefined ? undefined : Number(env['MODEL_RUNS']);

export const modelRunOptions = {
  replaying: seed !== undefined,
  commands: replayPath === undefined ? {} : { replayPath },
  assert<T>(defaults: fc.Parameters<T>): fc.Parameters<T> {
    return {
      ...defaults,
      ...(runs === undefined ? {} : { numRuns: runs }),
      ...(seed === undefined ? {} : { seed }),
      ...(path === undefined ? {} : { path }),
      verbose: 1,
    };
  },
};
