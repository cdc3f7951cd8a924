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

/**
 * What in the element matching `selector` a reader could not see: every piece of visible text
 * (each line box of each text node, so text wider than its own box counts) and every control,
 * canvas, image and table must lie inside the viewport horizontally and inside every ancestor
 * that clips it (overflow hidden / clip, paint containment, content-visibility). An ancestor
 * that scrolls (overflow auto / scroll) is a box the reader can scroll: its content may be
 * wider, but the scrolling box itself is checked like a control. Returns one line per problem.
 */
export function layoutProblems(p, selector) {
  return p.evaluate((sel) => {
    const scope = document.querySelector(sel);
    if (!scope) return [`${sel}: not found`];
    const vw = document.documentElement.clientWidth;
    const name = (el) => el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}${el.classList.length ? `.${[...el.classList].join('.')}` : ''}`;
    const path = (el) => {
      const parts = [];
      for (let e = el; e && e !== scope.parentElement && parts.length < 4; e = e.parentElement) parts.unshift(name(e));
      return parts.join(' > ');
    };
    const styles = new Map();
    const style = (el) => { if (!styles.has(el)) styles.set(el, getComputedStyle(el)); return styles.get(el); };
    const scrolls = (v) => v === 'auto' || v === 'scroll';
    const clipsPaint = (cs) => /\b(paint|strict|content)\b/.test(cs.contain) || cs.contentVisibility === 'auto' || cs.contentVisibility === 'hidden';
    // Deliberately invisible: screen-reader text and the skip link until focused.
    const ignored = (el) => el.closest('.sr-only, .skip, [aria-hidden="true"]');
    const problems = [];
    const seen = new Set();
    // `first`: the innermost box that can clip r (a text node's parent; an element's parent).
    function check(el, first, r, what) {
      if (r.width < 0.5 && r.height < 0.5) return;
      if (style(el).visibility === 'hidden' || ignored(el)) return;
      const report = (why) => {
        const line = `${what} in ${path(el)}: ${why}`;
        if (!seen.has(line)) { seen.add(line); problems.push(line); }
      };
      let scroller = null;
      for (let a = first; a && a !== document.body && !scroller; a = a.parentElement) {
        const acs = style(a);
        const sx = scrolls(acs.overflowX), sy = scrolls(acs.overflowY);
        const cx = !sx && (acs.overflowX !== 'visible' || clipsPaint(acs));
        const cy = !sy && (acs.overflowY !== 'visible' || clipsPaint(acs));
        if (!cx && !cy && !sx && !sy) continue;
        const b = a.getBoundingClientRect();
        const left = b.left + parseFloat(acs.borderLeftWidth), right = b.right - parseFloat(acs.borderRightWidth);
        const top = b.top + parseFloat(acs.borderTopWidth), bottom = b.bottom - parseFloat(acs.borderBottomWidth);
        if (cx && (r.left < left - 1 || r.right > right + 1))
          report(`cut at the side by ${name(a)} (${Math.round(r.left)}..${Math.round(r.right)} outside ${Math.round(left)}..${Math.round(right)})`);
        if (cy && (r.top < top - 1 || r.bottom > bottom + 1)) report(`cut at the top or bottom by ${name(a)}`);
        if (sx || sy) scroller = a; // the reader scrolls this box; the box itself is checked on its own
      }
      if (scroller) return;
      if (r.right > vw + 1) report(`right edge ${Math.round(r.right)} px past the viewport's ${vw}`);
      if (r.left < -1) report(`left edge at ${Math.round(r.left)} px`);
    }
    const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.data.trim() || !node.parentElement) continue;
      range.selectNodeContents(node);
      const text = JSON.stringify(node.data.trim().slice(0, 30));
      for (const r of range.getClientRects()) check(node.parentElement, node.parentElement, r, `text ${text}`);
    }
    const boxes = 'input, select, button, textarea, canvas, img, svg, progress, table, pre, video';
    for (const el of [scope, ...scope.querySelectorAll('*')]) {
      const cs = style(el);
      if (el.matches(boxes) || scrolls(cs.overflowX) || scrolls(cs.overflowY))
        for (const r of el.getClientRects()) check(el, el.parentElement, r, `<${el.tagName.toLowerCase()}>`);
    }
    return problems;
  }, selector);
}

/**
 * Polls an async condition until it holds (every animation frame's worth of time, 50 ms),
 * failing after `timeout` ms with `what` and, if given, describe()'s account of the state.
 */
export async function until(condition, what, describe = null, timeout = 30000) {
  const end = Date.now() + timeout;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}${describe ? `; last seen ${await describe()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
