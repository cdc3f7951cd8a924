// web-embed.test.js: the page inside course pages, in Debian's chromium (playwright-core).
// scripts/serve.mjs serves the tutorial on one origin; a second tiny server in this test
// serves a course page on another (another port of 127.0.0.1), which embeds the tutorial
// with <kindling-trainer> (embed.js, fetched across origins) and with the iframe snippet
// copied from web/README.md. Each embed must render its sections (heading visible, frame as
// tall as its content), including embed=train,infer; an embed of the scheduler alone must
// load no dataset and start no worker (request logging, positive control beside it). Also:
// the server's cross-origin headers, embed.js being one file, and the embed view's bar.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { OUT, rawGet, root, startBrowser, until, watch } from './web-helpers.js';

let browser, base, page, course, courseBase;
const consoleErrors = [];
const pages = new Map(); // path -> html of the course server

before(async () => {
  browser = await startBrowser('web-embed.test.js');
  ({ base, page } = browser);
  watch(page, consoleErrors);
  course = createServer((req, res) => {
    const html = pages.get(req.url.split('?')[0]);
    res.writeHead(html ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html ?? 'not found');
  });
  await new Promise((resolve) => course.listen(0, '127.0.0.1', resolve));
  courseBase = `http://127.0.0.1:${course.address().port}/`;
  assert.notEqual(new URL(courseBase).origin, new URL(base).origin);
});

after(async () => {
  await browser?.close();
  course?.closeAllConnections();
  await new Promise((resolve) => course ? course.close(resolve) : resolve());
});

/** A course page on the second origin; returns its URL. */
function coursePage(name, body) {
  pages.set(`/${name}`, `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Course</title><link rel="icon" href="data:,">
</head><body style="margin:0 auto;max-width:760px;padding:1rem;font-family:sans-serif"><h1>A course page</h1>
${body}</body></html>`);
  return `${courseBase}${name}`;
}

/** The iframe snippet of web/README.md (iframe and script), pointed at this test's server. */
function readmeSnippet() {
  const readme = readFileSync(join(root, 'web/README.md'), 'utf8');
  const block = [...readme.matchAll(/```html\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes('<iframe'));
  assert.ok(block && block.includes('<script>'), 'web/README.md has an iframe snippet with its resizing script');
  return block.replaceAll('https://example.org/kindling/', base);
}

/**
 * Waits until an embedding frame shows the sections (heading visible inside the frame, no
 * other section shown) and is as tall as its content (the height messages arrived).
 */
async function waitForEmbed(frameLocator, sections, what) {
  const handle = await frameLocator.elementHandle();
  await handle.scrollIntoViewIfNeeded();
  let frame = null;
  let last = null;
  await until(async () => {
    frame ??= await handle.contentFrame();
    if (!frame) return false;
    last = await frame.evaluate((ids) => {
      if (document.documentElement.dataset.ready !== 'true') return { ready: false };
      const headings = ids.map((id) => {
        const r = document.querySelector(`#${id} > h2`).getBoundingClientRect();
        return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight;
      });
      const shown = [...document.querySelectorAll('main > section')].filter((s) => s.getBoundingClientRect().height > 0).map((s) => s.id);
      return { ready: true, headings, shown, content: Math.ceil(document.documentElement.getBoundingClientRect().height) };
    }, sections).catch(() => null); // the frame may be navigating
    if (!last?.ready) return false;
    const frameHeight = await handle.evaluate((el) => el.getBoundingClientRect().height);
    last.frameHeight = frameHeight;
    return last.headings.every(Boolean) && JSON.stringify(last.shown) === JSON.stringify(sections) && Math.abs(frameHeight - last.content) <= 1;
  }, `${what}: the frame shows ${sections} at its content's height`, () => JSON.stringify(last));
  return { frame, handle, ...last };
}

test('serve.mjs sends the cross-origin headers with every file a course page may use', async () => {
  for (const path of ['/embed.js', '/', '/app.js', '/dist/index.js', '/data/mnist/t10k-labels-idx1-ubyte.gz', '/vendor/uplot/uPlot.esm.js']) {
    const r = await rawGet(base, path, { Origin: courseBase.slice(0, -1) });
    assert.equal(r.status, 200, path);
    assert.equal(r.headers['access-control-allow-origin'], '*', path);
    assert.equal(r.headers['cross-origin-resource-policy'], 'cross-origin', path);
  }
});

test('embed.js is one file: no imports, and its names are state.js\'s', async () => {
  const source = readFileSync(join(root, 'web/embed.js'), 'utf8').replace(/^\s*\/\/.*$/gm, '');
  assert.doesNotMatch(source, /^\s*import\s|\bimport\s*\(|^\s*export\s.*\bfrom\b/m, 'embed.js imports nothing');
  const list = (name) => JSON.parse(source.match(new RegExp(`const ${name} = (\\[[^\\]]*\\])`))[1].replaceAll("'", '"'));
  const { SCHEMA, SECTIONS } = await import('../web/lib/state.js');
  assert.deepEqual(list('SETTINGS'), Object.keys(SCHEMA));
  assert.deepEqual(list('SECTIONS'), SECTIONS);
});

test('a course page on another origin embeds the page with <kindling-trainer> and with the README iframe', async () => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const fromTutorial = [];
  const onRequest = (r) => { if (r.frame() === page.mainFrame() && r.url().startsWith(base)) fromTutorial.push(r); };
  page.on('request', onRequest);
  await page.goto(coursePage('course.html', `
<p>The README's iframe:</p>
${readmeSnippet()}
<p>The custom element, one section:</p>
<kindling-trainer id="sched" section="scheduler" hide="code" sched="ExponentialLR" lang="ko"></kindling-trainer>
<p>The custom element, two sections:</p>
<kindling-trainer id="two" section="train,infer" hide="code" model="mlp" epochs="1"></kindling-trainer>
<script type="module" src="${base}embed.js"></script>`));

  const snippet = await waitForEmbed(page.locator('body > iframe'), ['scheduler'], 'README iframe');
  assert.match(snippet.frame.url(), /embed=scheduler&sched=StepLR&step_size=10&hide=code/);
  const sched = await waitForEmbed(page.locator('#sched iframe'), ['scheduler'], '<kindling-trainer section="scheduler">');
  assert.equal(await sched.frame.evaluate(() => document.documentElement.lang), 'ko');
  assert.equal(await sched.frame.evaluate(() => window.kindlingPage.store.get('sched')), 'ExponentialLR');
  assert.ok(await sched.frame.locator('#sched-plot canvas').count() > 0);
  // The bar: the full page with the same settings, at the same section.
  const open = await sched.frame.getAttribute('#embed-open', 'href');
  assert.ok(open.startsWith(base) && /lang=ko/.test(open) && /sched=ExponentialLR/.test(open) && open.endsWith('#scheduler') && !/embed=/.test(open), open);
  assert.equal(await sched.frame.isVisible('#embed-bar'), true);

  const two = await waitForEmbed(page.locator('#two iframe'), ['train', 'infer'], '<kindling-trainer section="train,infer">');
  await two.frame.waitForFunction(() => window.kindlingPage.data !== null, null, { timeout: 30000 });
  assert.ok(two.content > 1000, `train and infer are ${two.content} px tall`);
  // Each frame on its own (a full-page screenshot leaves cross-origin frames off screen blank).
  for (const [name, embed] of [['readme-iframe', snippet], ['element-scheduler', sched], ['element-train-infer', two]]) {
    await embed.handle.scrollIntoViewIfNeeded();
    await embed.handle.screenshot({ path: join(OUT, `embed-course-${name}.png`) });
  }

  // The course page itself fetched only embed.js from the tutorial's origin, with CORS.
  page.off('request', onRequest);
  assert.deepEqual(fromTutorial.map((r) => new URL(r.url()).pathname), ['/embed.js']);
  const response = await fromTutorial[0].response();
  assert.equal(await response.headerValue('access-control-allow-origin'), '*');
  assert.deepEqual(consoleErrors, []);
});

test('the README iframe\'s written height holds the scheduler section in a 700 px column', async () => {
  const written = Number(readmeSnippet().match(/height:(\d+)px/)[1]);
  await page.setViewportSize({ width: 700 + 32, height: 900 }); // the course page's 1rem margins
  await page.goto(coursePage('narrow.html', readmeSnippet()));
  const { content, handle } = await waitForEmbed(page.locator('body > iframe'), ['scheduler'], 'README iframe at 700 px');
  assert.equal(Math.round(await handle.evaluate((el) => el.getBoundingClientRect().width)), 700);
  assert.ok(content <= written, `the section is ${content} px tall; the README writes ${written} px`);
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('an embed loads only what its sections need: the scheduler alone loads no data and starts no worker', async () => {
  const requests = [];
  const onRequest = (r) => requests.push(new URL(r.url()).pathname);
  const loads = async (name, section) => {
    requests.length = 0;
    page.on('request', onRequest);
    await page.goto(coursePage(name, `<kindling-trainer section="${section}"></kindling-trainer><script type="module" src="${base}embed.js"></script>`));
    const embed = await waitForEmbed(page.locator('kindling-trainer iframe'), section.split(','), section);
    await page.waitForLoadState('networkidle');
    page.off('request', onRequest);
    const state = await embed.frame.evaluate(() => ({ worker: window.kindlingPage.trainer.started, data: window.kindlingPage.data !== null }));
    return { ...state, dataFiles: requests.filter((p) => p.startsWith('/data/')), workerScript: requests.includes('/train-worker.js') };
  };
  // The positive control: the same logging sees what train and infer load.
  const both = await loads('both.html', 'train,infer');
  assert.ok(both.worker && both.workerScript && both.dataFiles.length >= 2, JSON.stringify(both));
  for (const section of ['scheduler', 'optimizer', 'loss', 'model']) {
    const alone = await loads(`${section}.html`, section);
    assert.deepEqual(alone, { worker: false, data: false, dataFiles: [], workerScript: false }, section);
  }
  assert.deepEqual(consoleErrors, []);
});

test('the embed view: hide= removes parts; its bar switches language and copies the full page\'s link', async () => {
  await page.goto(`${base}?embed=loss&hide=code,notes&reduction=sum`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  const visible = await page.evaluate(() => [...document.querySelectorAll('main > section')]
    .filter((s) => s.getBoundingClientRect().height > 0).map((s) => s.id));
  assert.deepEqual(visible, ['loss']);
  assert.equal(await page.isVisible('header.top'), false);
  assert.equal(await page.isVisible('nav.toc'), false);
  assert.equal(await page.isVisible('#loss [data-code]'), false);
  assert.equal(await page.isVisible('#loss .careful'), false);
  assert.equal(await page.isVisible('#ce-demo'), true);
  assert.equal(await page.isVisible('#embed-bar'), true);

  await page.click('#embed-bar button[data-lang="ko"]');
  await page.waitForFunction(() => document.documentElement.lang === 'ko' && /lang=ko/.test(document.getElementById('embed-open').href));
  assert.equal(await page.textContent('#embed-open'), '이 설정으로 전체 튜토리얼 열기 ↗');
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(base).origin });
  await page.click('#embed-bar [data-copy-link]');
  await page.waitForFunction(() => document.querySelector('#embed-bar .copy-status').textContent !== '');
  assert.equal(await page.textContent('#embed-bar .copy-status'), '링크를 복사했습니다');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, `${base}?lang=ko&seed=0&reduction=sum`);

  // hide=footer removes the bar; hide=lang,share only its buttons.
  await page.goto(`${base}?embed=loss&hide=lang,share`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  assert.equal(await page.isVisible('#embed-open'), true);
  assert.equal(await page.isVisible('#embed-bar [data-copy-link]'), false);
  assert.equal(await page.isVisible('#embed-bar .lang'), false);
  await page.goto(`${base}?embed=loss&hide=footer`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  assert.equal(await page.isVisible('#embed-bar'), false);
  assert.deepEqual(consoleErrors, []);
});
