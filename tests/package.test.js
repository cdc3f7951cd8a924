// package.test.js: kindling as an npm package, installed the way users install it. Packs the
// repository with `npm pack` — or takes the tarball KINDLING_PACKAGE_TARBALL names, as CI
// does with the one it packed from its clean clone (.ci/run) — checks what the tarball holds
// against package.json's exports and a size budget, reporting its sizes, then for each
// consumer makes a fresh project in a temp folder outside the repository, runs
// `npm install <tarball>` there (offline: the package has no dependencies) and checks that
// it works:
//   node-esm    `import * as torch from 'kindling'` trains 20 steps (loss falls); the
//               kindling/datasets and kindling/transforms subpaths resolve and work; the
//               README's Install example runs as printed
//   node-cjs    a .cjs script loads it with `await import('kindling')` and trains
//   vite        a page + module Web Worker bundled by `vite build` (worker.format 'es')
//   esbuild     the same page and worker bundled by `esbuild --bundle --format=esm`
//   unbundled   the same page with an import map, its worker importing the package by path
//   typescript  tests/package/typescript/example.ts type-checks with `tsc --noEmit --strict`
//               (node16 resolution; bundler resolution without the DOM lib), then runs
// The pages run in Debian's chromium (headless, playwright-core), write their results into
// the DOM, and must log no console errors. vite, esbuild and typescript come from this
// repository's node_modules (devDependencies); nothing is installed from the network.
// Without KINDLING_PACKAGE_TARBALL it needs dist/ (built here with ./build.sh wasm when
// missing; it packs with --ignore-scripts, so prepack does not build it again). Needs
// /usr/bin/chromium.
// KINDLING_KEEP_PACKAGE_TEST=1 keeps the temp projects for inspection.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = join(root, 'tests/package');
const BIN = {
  vite: join(root, 'node_modules/vite/bin/vite.js'),
  esbuild: join(root, 'node_modules/.bin/esbuild'),
  tsc: join(root, 'node_modules/typescript/bin/tsc'),
};
const CHROMIUM = '/usr/bin/chromium';
// The packed size it may grow to: 372 KiB at 0.1.0, 466 KiB with the math ops and views /
// indexing / in-place ops of issue 10, so room for the core to grow by a tenth, while a
// stray data file or a second copy of the wasm (~360 KiB) would fail.
const BUDGET = { packed: 512 * 1024, unpacked: 1.5 * 1024 * 1024 };
const GIVEN_TARBALL = process.env.KINDLING_PACKAGE_TARBALL;
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];

// npm passes its configuration to scripts as npm_* variables (npm_config_local_prefix, ...);
// the consumer projects' npm must not inherit them, or it could act on this repository.
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));

let work, tarball, packed, context, profile;
const servers = [];
const projects = {};

/** Runs a command; resolves to its stdout, rejects with everything it printed. */
function run(command, args, { cwd, timeout = 60000, env = childEnv } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${[command, ...args].join(' ')} (in ${cwd}) ${signal ? `was killed (${signal}, timeout ${timeout} ms)` : `exited with ${code}`}\n` +
        `--- stdout\n${stdout.slice(-4000)}\n--- stderr\n${stderr.slice(-4000)}`));
    });
  });
}

/** The path of a devDependency's executable, or a clear error when `npm ci` has not installed it. */
function tool(name) {
  if (!existsSync(BIN[name])) throw new Error(`package.test.js needs the ${name} devDependency (${BIN[name]}): npm ci`);
  return BIN[name];
}

/** Files under dir, relative, '/'-separated. */
function listFiles(dir, prefix = '') {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]);
}

/** The files of an npm tarball (gzipped ustar, every path under package/): [{path, size, data}]. */
function readTarball(file) {
  const tar = gunzipSync(readFileSync(file));
  const files = [];
  for (let at = 0; at + 512 <= tar.length && tar[at] !== 0;) {
    const field = (start, length) => tar.subarray(at + start, at + start + length).toString('utf8').replace(/\0[^]*$/, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const path = [field(345, 155), field(0, 100)].filter(Boolean).join('/');
    if (['0', ''].includes(field(156, 1))) files.push({ path: path.replace(/^package\//, ''), size, data: tar.subarray(at + 512, at + 512 + size) });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** A fresh consumer project with the tarball installed and the given fixture files copied in. */
async function makeProject(name, { type = 'module', copy = [] } = {}) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const pkg = { name: `kindling-consumer-${name}`, version: '0.0.0', private: true };
  if (type) pkg.type = type;
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', tarball], { cwd: dir });
  for (const [from, to = ''] of copy) cpSync(join(FIXTURES, from), join(dir, to), { recursive: true });
  projects[name] = dir;
  return dir;
}

/** The last line of output, parsed as JSON. */
function lastJson(stdout) {
  const line = stdout.trim().split('\n').pop();
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`expected a JSON line, got:\n${stdout}`);
  }
}

function assertFalling(losses, steps, what) {
  assert.equal(losses.length, steps, `${what}: ${steps} losses`);
  assert.ok(losses.every(Number.isFinite), `${what}: finite losses ${losses}`);
  assert.ok(losses[steps - 1] < 0.8 * losses[0], `${what}: the loss should fall, got ${losses.map((l) => l.toFixed(4)).join(', ')}`);
}

// --- packing ----------------------------------------------------------------------------------

/** The src/js modules and declarations that build.sh copies to dist/. */
const shimSources = () => listFiles(join(root, 'src/js')).filter((f) => f.endsWith('.js') || f.endsWith('.d.ts'));

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kindling-package-'));
  if (GIVEN_TARBALL) {
    tarball = resolve(GIVEN_TARBALL);
    if (!existsSync(tarball)) throw new Error(`KINDLING_PACKAGE_TARBALL=${GIVEN_TARBALL}: no such file`);
  } else {
    if (!existsSync(join(root, 'dist/index.js'))) await run(join(root, 'build.sh'), ['wasm'], { cwd: root, timeout: 600000 });
    // A packaging test of stale files proves nothing: dist/ must hold what src/js holds.
    const stale = shimSources().filter((f) => !existsSync(join(root, 'dist', f)) ||
      !readFileSync(join(root, 'dist', f)).equals(readFileSync(join(root, 'src/js', f))));
    if (stale.length)
      throw new Error(`dist/ does not match src/js (stale: ${stale.slice(0, 5).join(', ')}${stale.length > 5 ? ', ...' : ''}): run ./build.sh wasm`);
    const out = await run('npm', ['pack', '--json', '--ignore-scripts', '--loglevel=error', '--pack-destination', work], { cwd: root });
    tarball = join(work, JSON.parse(out)[0].filename);
  }
  packed = readTarball(tarball);

  // The consumer projects, installed in parallel (each `npm install` takes a couple of seconds).
  await Promise.all([
    makeProject('node-esm', { copy: [['node/train.mjs', 'train.mjs']] }),
    makeProject('node-cjs', { type: null, copy: [['node/train.cjs', 'train.cjs']] }),
    makeProject('vite', { copy: [['browser']] }),
    makeProject('esbuild', { copy: [['browser/index.html', 'index.html'], ['browser/main.js', 'main.js'], ['browser/worker.js', 'worker.js']] }),
    makeProject('unbundled', { copy: [['unbundled'], ['browser/main.js', 'main.js']] }),
    makeProject('typescript', { copy: [['typescript']] }),
  ]);
});

after(async () => {
  await context?.close();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (work && !process.env.KINDLING_KEEP_PACKAGE_TEST) rmSync(work, { recursive: true, force: true });
  else if (work) console.log(`# kept the consumer projects in ${work}`);
});

test('npm pack: the tarball holds the built package and nothing else, within its size budget', (t) => {
  const files = packed.map((f) => f.path);
  const size = statSync(tarball).size;
  const unpacked = packed.reduce((sum, f) => sum + f.size, 0);
  const wasm = packed.find((f) => f.path === 'dist/kindling.wasm');
  const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
  t.diagnostic(`tarball ${tarball}${GIVEN_TARBALL ? ' (KINDLING_PACKAGE_TARBALL)' : ''}: ${size} bytes (${kib(size)}), unpacked ${unpacked} bytes ` +
    `(${kib(unpacked)}), ${files.length} files; dist/kindling.wasm ${wasm?.size} bytes (${kib(wasm?.size ?? 0)})`);
  t.diagnostic(`files: ${[...files].sort().map((f) => `${f} ${packed.find((p) => p.path === f).size}`).join(', ')}`);
  assert.ok(size <= BUDGET.packed, `the tarball is ${kib(size)}, over its ${kib(BUDGET.packed)} budget (tests/package.test.js BUDGET)`);
  assert.ok(unpacked <= BUDGET.unpacked, `the package unpacks to ${kib(unpacked)}, over its ${kib(BUDGET.unpacked)} budget`);

  for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts', 'dist/kindling-wasm.js', 'dist/kindling.wasm',
    'dist/nn/index.js', 'dist/nn/index.d.ts', 'dist/optim/index.d.ts', 'dist/utils/index.d.ts', 'dist/utils/data.d.ts',
    'dist/datasets/index.js', 'dist/datasets/index.d.ts', 'dist/transforms/index.js', 'dist/transforms/index.d.ts'])
    assert.ok(files.includes(f), `the tarball should hold ${f}`);
  // Every module and type file of the shim ships (build.sh copies src/js/** to dist/), as
  // it is in this checkout: a tarball of stale files proves nothing.
  const sources = shimSources();
  const missing = sources.filter((f) => !files.includes(`dist/${f}`));
  assert.deepEqual(missing, [], 'every src/js module and .d.ts should be in the tarball under dist/');
  const differ = sources.filter((f) => !packed.find((p) => p.path === `dist/${f}`).data.equals(readFileSync(join(root, 'src/js', f))));
  assert.deepEqual(differ, [], 'the tarball\'s dist/ should hold this checkout\'s src/js');
  assert.match(readFileSync(join(root, 'LICENSE'), 'utf8'), /^MIT License/);
  // Nothing else: no tests, sources, data, web app, build output or dependencies.
  const unwanted = files.filter((f) => /^(tests|src|web|bench|build|data|scripts|examples|node_modules|\.ci)\//.test(f) ||
    /\.(c|h|o|py|gz)$/.test(f) || /idx\d-ubyte/.test(f) || /\.test\.js$/.test(f));
  assert.deepEqual(unwanted, [], 'the tarball should hold no tests, C sources, data or build output');
  assert.ok(files.every((f) => ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(f) || f.startsWith('dist/')),
    'only dist/, package.json, README.md, LICENSE, CHANGELOG.md');

  // Every target that the packed package.json points at is in the tarball, and every JS entry has types.
  const pkg = JSON.parse(packed.find((f) => f.path === 'package.json').data.toString('utf8'));
  assert.equal(pkg.type, 'module');
  assert.equal(pkg.license, 'MIT');
  for (const field of ['repository', 'homepage', 'bugs', 'engines']) assert.ok(pkg[field], `package.json should have ${field}`);
  assert.deepEqual(pkg.dependencies ?? {}, {}, 'the package has no runtime dependencies');
  const targets = [pkg.main, pkg.module, pkg.types];
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') {
      targets.push(target);
      assert.ok(!target.endsWith('.js'), `exports["${subpath}"] is JS, so it should be {types, default}`);
    } else {
      assert.ok(target.types && target.default, `exports["${subpath}"] should have types and default`);
      assert.ok(Object.keys(target)[0] === 'types', `exports["${subpath}"]: "types" must come first`);
      targets.push(target.types, target.default);
    }
  }
  for (const target of targets.filter(Boolean))
    assert.ok(target === './package.json' || files.includes(target.replace(/^\.\//, '')), `${target} (from package.json) should be in the tarball`);
});

// --- Node --------------------------------------------------------------------------------------

test('node ESM: import * as torch from "kindling" trains; kindling/datasets and kindling/transforms resolve', async () => {
  const out = lastJson(await run(process.execPath, ['train.mjs'], { cwd: projects['node-esm'] }));
  assertFalling(out.losses, 20, 'node-esm');
  assert.deepEqual(out.matmul, [[19, 22], [43, 50]]);
  assert.deepEqual(out.idx, { dtype: 'uint8', shape: [2, 3], data: [0, 1, 2, 3, 4, 255] });
  assert.deepEqual(out.transformed, { shape: [1, 2, 2], values: [-1, -0.6, -0.2, 1] });
  assert.equal(out.hasMNIST, true);
  const installed = join(projects['node-esm'], 'node_modules/kindling/dist');
  assert.equal(fileURLToPath(out.resolved.main), join(installed, 'index.js'));
  assert.equal(fileURLToPath(out.resolved.datasets), join(installed, 'datasets/index.js'));
  assert.equal(fileURLToPath(out.resolved.transforms), join(installed, 'transforms/index.js'));
});

test("node ESM: the README's Install example, as the installed README prints it, learns y = x1 + x2 + x3", async () => {
  const dir = projects['node-esm'];
  const readme = readFileSync(join(dir, 'node_modules/kindling/README.md'), 'utf8');
  const example = readme.split('\n## Install\n')[1]?.match(/```js\n([^]*?)```/)?.[1];
  assert.ok(example?.includes("from 'kindling'"), 'the README should have an Install section with a js example importing kindling');
  writeFileSync(join(dir, 'readme-example.mjs'), example);
  const printed = await run(process.execPath, ['readme-example.mjs'], { cwd: dir });
  const weights = printed.match(/-?\d+(\.\d+)?(e-?\d+)?/g)?.map(Number);
  assert.equal(weights?.length, 3, `expected the three weights, got: ${printed}`);
  for (const w of weights) assert.ok(Math.abs(w - 1) < 0.01, `the weights should be close to 1, got ${printed}`);
});

test('node CommonJS: a .cjs script loads kindling with await import() and trains', async () => {
  const out = lastJson(await run(process.execPath, ['train.cjs'], { cwd: projects['node-cjs'] }));
  assertFalling(out.losses, 20, 'node-cjs');
  assert.deepEqual(out.csv, { rows: 2, labels: [1, 0] });
  assert.equal(out.pixel, 1);
});

// --- browsers -----------------------------------------------------------------------------------

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json',
  '.wasm': 'application/wasm', '.map': 'application/json', '.css': 'text/css' };

/** A static file server for dir on a free port (one per page, so each is served from "/"). */
async function serve(dir) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = normalize(join(dir, path));
    if (relative(dir, file).startsWith('..')) file = null;
    else if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!file || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${server.address().port}/`;
}

async function browser() {
  if (context) return context;
  if (!existsSync(CHROMIUM))
    throw new Error(`package.test.js needs Debian's chromium at ${CHROMIUM} for the browser checks: apt-get install -y chromium`);
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    throw new Error('package.test.js needs the playwright-core devDependency: npm ci');
  }
  profile = mkdtempSync(join(tmpdir(), 'kindling-package-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
  return context;
}

/** Serves dir, opens it in chromium, waits for the page's verdict and returns its JSON. */
async function runPage(name, dir) {
  const [ctx, url] = await Promise.all([browser(), serve(dir)]);
  const page = await ctx.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console.error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`); });
  try {
    await page.goto(url);
    try {
      await page.waitForSelector('body[data-done]', { timeout: 30000 });
    } catch {
      const text = await page.textContent('#out').catch(() => '(no #out)');
      throw new Error(`${name}: the page did not finish within 30 s; #out: ${text}; ${problems.join('; ')}`);
    }
    const verdict = await page.getAttribute('body', 'data-done');
    const text = await page.textContent('#out');
    const result = JSON.parse(text);
    assert.equal(verdict, 'ok', `${name}: the page failed: ${result.error ?? text}`);
    assert.deepEqual(problems, [], `${name}: no console errors or failed requests`);
    return result;
  } finally {
    await page.close();
  }
}

function checkPage(name, result) {
  assert.deepEqual(result.matmul, [[19, 22], [43, 50]], `${name}: matmul`);
  assertFalling(result.losses, 20, `${name} page`);
  assert.deepEqual(result.pixel, [[[0, 1]]], `${name}: ToTensor from kindling/transforms`);
  assert.equal(result.simd, true, `${name}: chromium runs the SIMD build`);
  assert.ok(!result.worker.error, `${name}: the worker failed: ${result.worker.error}`);
  assert.equal(result.worker.isWorker, true, `${name}: the worker ran in a WorkerGlobalScope`);
  assertFalling(result.worker.losses, 5, `${name} worker`);
}

test('vite: a page and a module Web Worker bundled by vite build run in chromium', async (t) => {
  const dir = projects.vite;
  await run(process.execPath, [tool('vite'), 'build', '--outDir', 'build', '--emptyOutDir'], { cwd: dir });
  const assets = readdirSync(join(dir, 'build/assets'));
  t.diagnostic(`vite output: ${assets.map((f) => `${f} ${statSync(join(dir, 'build/assets', f)).size} B`).join(', ')}`);
  assert.ok(assets.some((f) => /^worker-.*\.js$/.test(f)), 'vite should emit the worker as its own chunk');
  checkPage('vite', await runPage('vite', join(dir, 'build')));
});

test('esbuild: a page and a module Web Worker bundled by esbuild --bundle --format=esm run in chromium', async () => {
  const dir = projects.esbuild;
  // esbuild leaves new URL('./worker.js', import.meta.url) alone, so the worker is a second entry point.
  await run(tool('esbuild'), ['main.js', 'worker.js', '--bundle', '--format=esm', '--outdir=build', '--log-level=warning'], { cwd: dir });
  cpSync(join(dir, 'index.html'), join(dir, 'build/index.html'));
  checkPage('esbuild', await runPage('esbuild', join(dir, 'build')));
});

test('unbundled: the page with an import map, the module worker importing the installed files, run in chromium', async () => {
  checkPage('unbundled', await runPage('unbundled', projects.unbundled));
});

// --- TypeScript ---------------------------------------------------------------------------------

test('typescript: example.ts type-checks against the shipped .d.ts (strict; node16 and bundler resolution) and runs', async () => {
  const dir = projects.typescript;
  // The node16 run type-checks as --noEmit would and, only when there is no error, emits out/ to run.
  await Promise.all([
    run(process.execPath, [tool('tsc'), '-p', 'tsconfig.node16.json', '--strict', '--noEmitOnError'], { cwd: dir }),
    run(process.execPath, [tool('tsc'), '-p', 'tsconfig.bundler.json', '--noEmit', '--strict'], { cwd: dir }),
  ]);
  const out = lastJson(await run(process.execPath, [join('out', 'example.js')], { cwd: dir }));
  assert.deepEqual(out.logits, [8, 3]);
  assert.equal(out.epochLosses.length, 4);
  assert.ok(out.epochLosses[3] < out.epochLosses[0], `the loss should fall: ${out.epochLosses}`);
  assert.ok(Math.abs(out.lr - 0.05) < 1e-12, `StepLR(step_size 2, gamma 0.5) from 0.2 after 4 epochs: ${out.lr}`);
  assert.equal(out.same, 0, 'a model restored with torch.load gives the same outputs');
  assert.deepEqual(out.sample, [1, 28, 28]);
  assert.deepEqual(out.batchShapes, [[4, 1, 28, 28], [4], [4, 1, 28, 28], [4]]);
  assert.deepEqual(out.squareSums, [0 + 1 + 4 + 9 + 16, 5, 25 + 36 + 49 + 64 + 81, 5]);
  assert.equal(out.exact, true);
});
