// package-scripts.test.js: package.json's prepack and prepare scripts, run as npm runs them
// (sh -c, with INIT_CWD), in a temp copy of build.sh, the prepare script and package.json, on
// a PATH without Emscripten:
//   prepack     stops, naming the command that installs Emscripten; it never installs system
//               packages itself (KINDLING_NO_APT), even as root
//   prepare     does nothing for this package's own npm ci / npm install / npm pack (INIT_CWD
//               inside the package), nor when dist/ is built; for a git install (INIT_CWD is the
//               consumer's project) with no dist/ it builds, so without Emscripten it stops the same way
// The build itself, from a clean clone, is what .ci/run's `npm pack` does.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
let work, pkg, consumer, bin;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'kindling-package-scripts-'));
  pkg = join(work, 'kindling');
  consumer = join(work, 'consumer');
  bin = join(work, 'bin');
  for (const dir of [pkg, consumer, bin, join(pkg, 'scripts')]) mkdirSync(dir, { recursive: true });
  for (const file of ['build.sh', 'package.json', 'scripts/npm-prepare.mjs']) cpSync(join(root, file), join(pkg, file));
  // Only what the scripts need before they look for emcc: no emcc, and an apt-get that only
  // records that it was called.
  for (const tool of ['sh', 'bash', 'dirname', 'id']) {
    const found = ['/usr/bin', '/bin'].map((dir) => join(dir, tool)).find(existsSync);
    assert.ok(found, `${tool} should exist`);
    symlinkSync(found, join(bin, tool));
  }
  symlinkSync(process.execPath, join(bin, 'node'));
  writeFileSync(join(bin, 'apt-get'), `#!/bin/sh\necho "$@" >> "${join(work, 'apt-get-calls')}"\nexit 1\n`, { mode: 0o755 });
});

after(() => { if (work) rmSync(work, { recursive: true, force: true }); });

/** Runs a command line as npm runs a script: sh -c in the package folder, INIT_CWD set. */
function runScript(name, initCwd, command = scripts[name]) {
  const env = { PATH: bin, HOME: work, INIT_CWD: initCwd, npm_lifecycle_event: name };
  const result = spawnSync(join(bin, 'sh'), ['-c', command], { cwd: pkg, env, encoding: 'utf8', timeout: 30000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const aptCalls = () => (existsSync(join(work, 'apt-get-calls')) ? readFileSync(join(work, 'apt-get-calls'), 'utf8') : '');

const INSTALL = /cannot build dist\/: emcc \(Emscripten\) is missing\. Install it with:\n {2}(sudo )?apt-get update && (sudo )?apt-get install -y emscripten\n/;

test('prepack without Emscripten stops with the command that installs it, and installs nothing itself', () => {
  assert.match(scripts.prepack, /KINDLING_NO_APT=1 \.\/build\.sh wasm/);
  const { status, output } = runScript('prepack', pkg);
  assert.equal(status, 1, output);
  assert.match(output, INSTALL);
  assert.equal(aptCalls(), '', 'prepack never runs apt-get');
  assert.equal(existsSync(join(pkg, 'dist')), false, 'nothing built');
});

test('./build.sh itself, run by root, installs Emscripten with apt-get (what npm start relies on)', { skip: process.getuid?.() !== 0 && 'not root' }, () => {
  const { status, output } = runScript('build', pkg, './build.sh wasm');
  assert.equal(status, 1, output); // the recording apt-get fails
  assert.match(output, /emcc not found; installing Debian's emscripten package/);
  assert.match(aptCalls(), /^update -qq\n/);
  rmSync(join(work, 'apt-get-calls'));
});

test("prepare does nothing in the package's own npm ci / npm pack, nor when dist/ is built", () => {
  for (const initCwd of [pkg, join(pkg, 'scripts')]) {
    const { status, output } = runScript('prepare', initCwd);
    assert.equal(status, 0, output);
    assert.equal(output, '', `INIT_CWD ${initCwd}: silent`);
  }
  mkdirSync(join(pkg, 'dist'));
  writeFileSync(join(pkg, 'dist/index.js'), '');
  try {
    const { status, output } = runScript('prepare', consumer);
    assert.equal(status, 0, output);
    assert.equal(output, '');
  } finally {
    rmSync(join(pkg, 'dist'), { recursive: true });
  }
});

test('prepare in a git install with no dist/ builds it: without Emscripten it stops with the command', () => {
  const { status, output } = runScript('prepare', consumer);
  assert.equal(status, 1, output);
  assert.match(output, /installed from git, building dist\/ with \.\/build\.sh wasm/);
  assert.match(output, INSTALL);
  assert.equal(aptCalls(), '', 'prepare never runs apt-get');
});
