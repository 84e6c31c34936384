// `npm run bundle` (part of `npm run build`): the compiler's output (build/src/) as one CommonJS file,
// dist/src/main.js, that needs nothing from node_modules; the package's `bin`, `npm start`, the image and the
// systemd unit all run that file.
//
// CommonJS, not an ES module, for memory: on Node 26 the same bundle as an ES module ran at 3.5 MB more
// resident memory (66 against 69.5 MB side by side, docs/benchmarks.md "Node's options on every Node.js
// line"): Node's ES module loader is set up for the entry, and importing a built-in such as node:http as an
// ES module reads every export, lazy ones included (http.WebSocket loads undici). On Node 20 the two are
// the same. The sources stay ES modules: esbuild converts them.
import { rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { standIns } from './bundle-stand-ins.mjs';

const OUT_DIR = 'dist/src';

// Nothing of an earlier layout (the compiler wrote all of src/ here once) may sit beside the bundle.
rmSync(OUT_DIR, { recursive: true, force: true });
await build({
  entryPoints: ['build/src/main.js'],
  outfile: `${OUT_DIR}/main.js`,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  logLevel: 'warning',
  // Modules loaded at their first use, not at start, and mqtt.js's `debug` as an empty function while DEBUG is
  // unset (scripts/bundle-stand-ins.mjs says which, and why).
  plugins: [standIns],
  // src/version.ts finds package.json from import.meta.url, which CommonJS has not: its own file's URL.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// The repository's package.json says "type": "module", so Node would read a .js file below it as an ES
// module; the nearest package.json decides, and this one says CommonJS for dist/src/ alone. It has no name,
// so src/version.ts walks on past it to the package's own.
writeFileSync(`${OUT_DIR}/package.json`, '{ "type": "commonjs" }\n');
