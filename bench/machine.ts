import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

/** The machine the figures were taken on, in one line. */
export function describeMachine(): string {
  const cpuList = cpus();
  const model = cpuList[0]?.model.trim() ?? 'unknown CPU';
  return [
    `CPU: ${model}, ${cpuList.length} cores`,
    `memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `Node.js ${process.version}`,
    `OS: ${osName()} (Linux ${release()}, ${process.arch})`,
  ].join('; ');
}

function osName(): string {
  try {
    const line = readFileSync('/etc/os-release', 'utf8').split('\n').find((entry) => entry.startsWith('PRETTY_NAME='));
    return line ? line.slice('PRETTY_NAME='.length).replace(/^"|"$/g, '') : process.platform;
  } catch {
    return process.platform;
  }
}
