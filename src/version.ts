import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PRODUCT_NAME = 'plex-home-mqtt';

/** This package's own package.json, found by walking up (src/ when run from source, dist/src/ when built). */
function readPackage(): { version: string; homepage: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string; homepage?: string };
      if (pkg.name === PRODUCT_NAME) return { version: pkg.version ?? '0.0.0', homepage: pkg.homepage ?? '' };
    } catch {
      // No package.json here; keep walking up.
    }
    const parent = dirname(dir);
    if (parent === dir) return { version: '0.0.0', homepage: '' };
    dir = parent;
  }
}

const pkg = readPackage();
export const VERSION = pkg.version;
export const HOMEPAGE = pkg.homepage;
