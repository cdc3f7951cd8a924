// web-helpers.js: what the browser tests of the page share (tests/web.test.js,
// tests/web-checkpoint.test.js) — starting scripts/serve.mjs on a free port, launching
// Debian's chromium through playwright-core with a throwaway profile, collecting console
// errors, raw HTTP GETs, and waiting for the page to be ready. Not a test file itself.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';
export const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];
export const OUT = join(root, 'test-output');

/** Console errors, page errors and HTTP errors of a page, pushed into `into`. */
export function watch(p, into) {
  p.on('console', (m) => { if (m.type() === 'error') into.push(`console.error: ${m.text()}`); });
  p.on('pageerror', (e) => into.push(`pageerror: ${e.message}`));
  p.on('response', (r) => { if (r.status() >= 400) into.push(`HTTP ${r.status()} ${r.url()}`); });
}

/** Starts the page's server and chromium. Returns {base, context, page, close}. */
export async function startBrowser(name, options = {}) {
  if (!existsSync(CHROMIUM))
    throw new Error(`${name} needs Debian's chromium at ${CHROMIUM}: apt-get install -y chromium fonts-nanum`);
  if (!existsSync(join(root, 'dist/index.js'))) throw new Error(`${name} needs dist/: run ./build.sh wasm first`);
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    throw new Error(`${name} needs the playwright-core devDependency: npm ci`);
  }
  const server = spawn(process.execPath, [join(root, 'scripts/serve.mjs'), '--port', '0', '--no-build'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve.mjs did not start: ${out}`)), 10000);
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) { clearTimeout(timer); resolve(m[0]); }
    });
    server.stderr.on('data', (chunk) => { out += chunk; });
    server.on('exit', (code) => reject(new Error(`serve.mjs exited with ${code}: ${out}`)));
  });
  const profile = mkdtempSync(join(tmpdir(), 'kindling-web-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, locale: 'en-US', viewport: { width: 1280, height: 900 }, ...options,
  });
  const page = context.pages()[0] ?? await context.newPage();
  return {
    base, context, page,
    async close() {
      await context.close();
      server.kill('SIGTERM');
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A raw GET (Node's http sends the path as written: no '..' normalisation). */
export function rawGet(base, path, headers = {}) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Waits until the page is set up, its dataset has loaded and its saved run (if any) is restored or offered. */
export const ready = (p) => p.waitForFunction(() => document.documentElement.dataset.ready === 'true' && window.kindlingPage?.data &&
  window.kindlingPage.checkpointSettled !== false, null, { timeout: 30000 });
