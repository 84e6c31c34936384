import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The images are built for linux/amd64 and linux/arm64 (.github/workflows/release.yml). Nothing here can run
// an arm64 build, so this proves what can be proven by reading: nothing in the Dockerfile or the production
// dependencies is tied to one architecture.

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const dockerfile = read('Dockerfile');
/** Instructions, comments dropped and continuation lines joined. */
const instructions = dockerfile.replace(/\\\n/g, ' ').split('\n').filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
const ARCH_WORDS = /\b(amd64|x86_64|x86-64|x64|i386|arm64|aarch64|armv7|armhf)\b/i;

describe('the Dockerfile', () => {
  it('names no architecture and no platform, except the app label the build sets per arch', () => {
    const tied = instructions.filter((line) => ARCH_WORDS.test(line) || /--platform/.test(line));
    expect(tied).toEqual(['ARG BUILD_ARCH=amd64']);
  });

  it('builds from a multi-arch base: the official node image unless CI passes its own', () => {
    expect(instructions).toContain('ARG NODE_IMAGE=node:26-slim');
    expect(instructions).toContain('ARG BUILD_IMAGE=${NODE_IMAGE}');
    for (const from of instructions.filter((line) => line.startsWith('FROM '))) {
      expect(from).toMatch(/^FROM (\$\{(NODE_IMAGE|BUILD_IMAGE)\}|runtime)( AS \w+)?$/);
    }
  });

  it('downloads no binaries and compiles nothing native: npm with no install scripts', () => {
    const runs = instructions.filter((line) => line.startsWith('RUN '));
    for (const run of runs) expect(run).not.toMatch(/\b(curl|wget|apt-get|apk|gcc|make|node-gyp)\b/);
    for (const install of runs.filter((run) => /npm ci/.test(run))) expect(install).toContain('--ignore-scripts');
  });

  it('has production dependencies without a CPU or OS of their own', () => {
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { dev?: boolean; cpu?: string[]; os?: string[] }> };
    const tied = Object.entries(lock.packages).filter(([, entry]) => !entry.dev && (entry.cpu || entry.os)).map(([name]) => name);
    expect(tied).toEqual([]);
  });

  it('has the version of package.json, in both stages that label it', () => {
    const { version } = JSON.parse(read('package.json')) as { version: string };
    expect(dockerfile.match(/^ARG VERSION=.*$/gm)).toEqual([`ARG VERSION=${version}`, `ARG VERSION=${version}`]);
  });
});

describe('docker-compose.yml', () => {
  it('pulls the released image of this version, and keeps a build for those who build', () => {
    const { version } = JSON.parse(read('package.json')) as { version: string };
    const service = (parse(read('docker-compose.yml')) as { services: Record<string, { build?: string; image?: string }> }).services['plex-home-mqtt'];
    expect(service?.build).toBe('.');
    expect(service?.image).toBe(`\${PLEX_HOME_MQTT_IMAGE:-ghcr.io/plex-home-mqtt/plex-home-mqtt:${version}}`);
    expect(read('.github/workflows/release.yml')).toContain('IMAGE: ghcr.io/plex-home-mqtt/plex-home-mqtt\n');
  });
});
