import { ConfigError, loadConfig } from '../config.js';
import { healthProblem, readHeartbeat } from '../state/health.js';
import { PRODUCT_NAME } from '../version.js';
import { EXIT_CONFIG, type Command } from './command.js';

/**
 * `plex-home-mqtt health`: the container's HEALTHCHECK. Healthy when the running daemon's poll loop is on
 * schedule and its broker connection is up (or was lost only moments ago), not merely when it exists.
 */
export const health: Command = ({ args, env, stdout, stderr }) => {
  let stateDir: string;
  try {
    stateDir = loadConfig({ env, args }).stateDir;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    stderr.write(`${PRODUCT_NAME}: configuration error: ${error.message}\n`);
    return EXIT_CONFIG;
  }
  const problem = healthProblem(readHeartbeat(stateDir), new Date());
  if (problem) {
    stderr.write(`unhealthy: ${problem}\n`);
    return 1;
  }
  stdout.write('healthy\n');
  return 0;
};
