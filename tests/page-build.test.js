// page-build.test.js: the tutorial page as a deployable artifact. Runs scripts/build-page.mjs
// (what `npm run build:page` runs after ./build.sh wasm) into a temp folder, checks that the
// folder holds every file the page's HTML and modules name by relative URL (and no sources,
// READMEs or type declarations), reports its size, then serves it with a plain static server
// — Python's http.server, as a course would, not scripts/serve.mjs — and trains in Debian's
// chromium: the page loads with no console errors or failed requests, the worker trains
// 8 batches of MNIST and evaluates.
// Needs dist/ (./build.sh wasm), node_modules/uplot (npm ci), python3 and /usr/bin/chromium.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { ARGS, CHROMIUM, ready, root, watch } from './web-helpers.js';
import { buildPage } from '../scripts/build-page.mjs';

let work, site, files, server, context;

before(() => {
  if (!existsSync(join(root, 'dist/index.js'))) throw new Error('page-build.test.js needs dist/: run ./build.sh wasm first');
  work = mkdtempSync(join(tmpdir(), 'kindling-page-build-'));
  site = join(work, 'site');
  files = buildPage(site);
});

after(async () => {
  await context?.close();
  server?.kill('SIGTERM');
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The relative URLs a page file names: HTML src/href, JS imports and new URL(..., import.meta.url). */
function referencedUrls(path, text) {
  const patterns = path.endsWith('.html') ? [/\b(?:src|href)="([^"]+)"/g]
    : [/\b(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g, /new URL\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*,\s*import\.meta\.url/g];
  return patterns.flatMap((re) => [...text.matchAll(re)].map((m) => m[1]))
    .filter((url) => !/^([a-z]+:|#|\/\/)/i.test(url));
}

test('build:page writes a self-contained folder: every URL the page names is in it, and nothing else', (t) => {
  const paths = files.map((f) => f.path);
  for (const f of ['index.html', 'app.js', 'train-worker.js', 'embed.js', 'style.css', 'dist/index.js', 'dist/kindling-wasm.js',
    'dist/datasets/index.js', 'dist/transforms/index.js', 'vendor/uplot/uPlot.esm.js', 'vendor/uplot/uPlot.min.css'])
    assert.ok(paths.includes(f), `the folder should hold ${f}`);
  for (const set of ['mnist', 'fashion-mnist'])
    for (const part of ['train-images-idx3', 'train-labels-idx1', 't10k-images-idx3', 't10k-labels-idx1'])
      assert.ok(paths.includes(`data/${set}/${part}-ubyte.gz`), `the folder should hold data/${set}/${part}-ubyte.gz`);
  assert.deepEqual(paths.filter((f) => /(^|\/)README\.md$|\.d\.ts$|\.wasm$|^node_modules\/|\.test\.js$/.test(f)), [],
    'no READMEs, declarations, separate wasm or dependencies');

  const missing = [];
  for (const path of paths.filter((f) => /\.(html|js)$/.test(f))) {
    for (const url of referencedUrls(path, readFileSync(join(site, path), 'utf8'))) {
      const target = posix.normalize(posix.join(posix.dirname(path), url.split(/[?#]/)[0]));
      if (!paths.includes(target)) missing.push(`${path} -> ${url}`);
    }
  }
  assert.deepEqual(missing, [], 'every relative URL in the page\'s HTML and modules should be in the folder');
  assert.ok(referencedUrls('index.html', readFileSync(join(site, 'index.html'), 'utf8')).includes('app.js'), 'the scan sees index.html\'s script');

  const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
  const sum = (list, key) => list.reduce((s, f) => s + f[key], 0);
  const page = files.filter((f) => !f.path.startsWith('data/'));
  t.diagnostic(`static page folder: ${files.length} files, ${kib(sum(files, 'size'))}; without data/ ${page.length} files, ` +
    `${kib(sum(page, 'size'))} (${kib(sum(page, 'gzipped'))} gzipped); data/ ${kib(sum(files, 'size') - sum(page, 'size'))}`);
});

/** Starts `python3 -m http.server` on a free port for dir; resolves to its base URL. */
function staticServer(dir) {
  server = spawn('python3', ['-u', '-m', 'http.server', '--bind', '127.0.0.1', '--directory', dir, '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`python3 -m http.server did not start within 10 s: ${out}`)), 10000);
    const read = (chunk) => {
      out += chunk;
      const port = out.match(/port (\d+)/)?.[1];
      if (port) { clearTimeout(timer); resolve(`http://127.0.0.1:${port}/`); }
    };
    server.stdout.on('data', read);
    server.stderr.on('data', (chunk) => { out += chunk; });
    server.on('error', (e) => { clearTimeout(timer); reject(new Error(`page-build.test.js needs python3 for a plain static server: ${e.message}`)); });
    server.on('exit', (code) => { clearTimeout(timer); reject(new Error(`python3 -m http.server exited with ${code}: ${out}`)); });
  });
}

test('the folder, served by python3 -m http.server, loads in chromium and trains MNIST in the worker', async (t) => {
  if (!existsSync(CHROMIUM)) throw new Error(`page-build.test.js needs Debian's chromium at ${CHROMIUM}: apt-get install -y chromium`);
  const { chromium } = await import('playwright-core');
  const base = await staticServer(site);
  const profile = join(work, 'chromium');
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, locale: 'en-US' });
  const page = context.pages()[0] ?? await context.newPage();
  const problems = [];
  watch(page, problems);
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));

  const started = Date.now();
  await page.goto(`${base}?model=mlp&opt=adam&lr=0.002&epochs=1&subset=512&seed=1`);
  await ready(page);
  await page.click('#train-start');
  await page.waitForFunction(() => ['done', 'stopped'].includes(window.kindlingPage.trainingState), null, { timeout: 60000, polling: 100 });
  const { state, history, accuracy } = await page.evaluate(() => ({
    state: window.kindlingPage.trainingState, history: JSON.parse(JSON.stringify(window.kindlingPage.history)), accuracy: window.kindlingPage.stats.accuracy,
  }));
  t.diagnostic(`loaded and trained 8 batches + evaluation in ${Date.now() - started} ms; losses ${history.loss.map((l) => l.toFixed(3)).join(' ')}; test accuracy ${(accuracy * 100).toFixed(1)}%`);
  assert.equal(state, 'done', `training should finish: ${await page.textContent('#train-status')}`);
  assert.equal(history.loss.length, 8, '512 images in batches of 64');
  assert.ok(history.loss.every(Number.isFinite), `finite losses: ${history.loss}`);
  assert.ok(history.loss.at(-1) < history.loss[0], `the loss should fall: ${history.loss}`);
  assert.ok(accuracy > 0.5, `test accuracy after 512 images: ${accuracy}`);
  assert.deepEqual(problems, [], 'no console errors or failed requests');
});
