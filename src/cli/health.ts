import { healthProblem, isDaemonRunning, readHeartbeat } from '../state/health.js';
import { EXIT_CONFIG, type Command } from './command.js';
import { loadConfigOnly } from './settings.js';

/**
 * `plex-home-mqtt health`: the container's HEALTHCHECK. Healthy when the running daemon's poll loop is on
 * schedule and its broker connection is up (or was lost only moments ago), not merely when it exists;
 * unhealthy at once when it stopped cleanly or its process is gone.
 */
export const health: Command = (context) => {
  const { stdout, stderr } = context;
  const config = loadConfigOnly(context);
  if (!config) return EXIT_CONFIG;
  const beat = readHeartbeat(config.stateDir);
  const problem = healthProblem(beat, new Date(), beat && isDaemonRunning(beat));
  if (problem) {
    stderr.write(`unhealthy: ${problem}\n`);
    return 1;
  }
  stdout.write('healthy\n');
  return 0;
};
