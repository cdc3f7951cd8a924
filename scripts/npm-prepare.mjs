// npm-prepare.mjs: package.json's `prepare` script. It builds dist/ (./build.sh wasm) only
// when kindling is being installed from git (`npm install github:kindling-js/kindling`):
// npm then clones the repository into its cache and runs `prepare`, never `prepack`, before
// packing the clone, so without a build the install would have no dist/.
// npm also runs `prepare` on this repository's own `npm ci` / `npm install` and on
// `npm pack`; there it does nothing, so `npm ci` stays fast: `npm start` and `./build.sh`
// build dist/ for working here, and `prepack` has just built it for `npm pack` / `npm publish`.
// The two are told apart by INIT_CWD, the folder npm was started in (npm sets it for every
// script): inside this package for its own commands, the consumer's project for a git install.
// Like prepack it never installs system packages (KINDLING_NO_APT): without Emscripten it
// stops with the command that installs it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const started = process.env.INIT_CWD ?? process.cwd();
const within = relative(root, started);
const ownCommand = within === '' || (!within.startsWith('..') && !isAbsolute(within));

if (ownCommand || existsSync(join(root, 'dist/index.js'))) process.exit(0);
console.error('kindling: installed from git, building dist/ with ./build.sh wasm (Emscripten)');
const build = spawnSync(join(root, 'build.sh'), ['wasm'], { stdio: 'inherit', env: { ...process.env, KINDLING_NO_APT: '1' } });
process.exit(build.status ?? 1);
