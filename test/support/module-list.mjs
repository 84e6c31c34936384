// Preloaded with `node --import`: when the process exits, writes the built-in modules it loaded
// (process.moduleLoadList) to the file named by MODULE_LIST_FILE. For test/integration/bundle-stand-ins.test.ts.
import { writeFileSync } from 'node:fs';
import process from 'node:process';

process.once('exit', () => {
  writeFileSync(String(process.env['MODULE_LIST_FILE']), JSON.stringify(Reflect.get(process, 'moduleLoadList')));
});
