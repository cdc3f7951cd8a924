// npm start: builds dist/ when it is missing or older than the sources, then runs the main
// job. Until the tutorial page lands, that is the toy MLP example training in Node.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return t;
}

const built = join(root, 'dist/index.js');
if (!existsSync(built) || statSync(built).mtimeMs < newest(join(root, 'src'))) {
  console.log('npm start: building dist/ with ./build.sh wasm');
  execFileSync(join(root, 'build.sh'), ['wasm'], { stdio: 'inherit' });
}
await import('../examples/toy-mlp.mjs');
