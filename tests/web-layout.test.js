// web-layout.test.js: the page at every width, in Debian's chromium (playwright-core).
// After a short training run (so the charts, confusion matrix, filters and prediction bars
// are drawn), every section is scrolled into view at 320, 375, 768 and 1280 px in both
// languages, and no visible text or control may stick out past the viewport or be cut by an
// ancestor (layoutProblems in web-helpers.js walks every text line box and control — the
// page's scroll width alone missed text clipped inside its section). The same again for a
// configuration that shows many controls (Fashion-MNIST, custom model, RMSprop,
// ReduceLROnPlateau, per-sample losses) and for the embed view. The nav's links and a
// #section address land with the section's heading visible below the sticky nav.
// Screenshots of every section at 375 and 1280 px in both languages go to test-output/.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, layoutProblems, ready as readyPage, startBrowser, watch } from './web-helpers.js';

const SECTIONS = ['data', 'model', 'loss', 'optimizer', 'scheduler', 'train', 'infer', 'save'];
const LANGS = ['en', 'ko'];

let browser, base, page;
const consoleErrors = [];

before(async () => {
  browser = await startBrowser('web-layout.test.js');
  ({ base, page } = browser);
  watch(page, consoleErrors);
  mkdirSync(OUT, { recursive: true });
});

after(async () => { await browser?.close(); });

const ready = (p = page) => readyPage(p);
const frames = (p = page) => p.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

async function setLang(lang) {
  await page.evaluate((l) => document.querySelector(`button[data-lang="${l}"]`).click(), lang);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
}

/** Checks every section (and the page's header, nav and footer) at each width and language. */
async function checkEverySection(label, widths, { shots = [] } = {}) {
  const problems = [];
  for (const width of widths) {
    await page.setViewportSize({ width, height: 900 });
    for (const lang of LANGS) {
      await setLang(lang);
      for (const selector of ['header.top', 'nav.toc', ...SECTIONS.map((id) => `#${id}`), '.page-footer']) {
        await page.locator(selector).scrollIntoViewIfNeeded();
        await frames();
        for (const line of await layoutProblems(page, selector)) problems.push(`${label}, ${width} px, ${lang}: ${line}`);
        if (shots.includes(width) && selector.startsWith('#'))
          await page.locator(selector).screenshot({ path: join(OUT, `layout-${selector.slice(1)}-${width}-${lang}.png`) });
      }
    }
  }
  return problems;
}

test('trained: every section, at 320, 375, 768 and 1280 px in both languages, has nothing cut or sticking out', async () => {
  await page.goto(`${base}?model=lenet&opt=adam&lr=0.002&subset=2000&epochs=1&seed=3`);
  await ready();
  await page.click('#train-start');
  await page.waitForFunction(() => window.kindlingPage.trainingState === 'done', null, { timeout: 60000, polling: 100 });
  await page.click('#draw-sample');
  await page.waitForFunction(() => !window.kindlingPage.predicting && document.getElementById('prediction').dataset.label !== '');
  await page.evaluate(() => window.kindlingPage.race.finish());
  // The sticky nav stays out of the section screenshots.
  await page.addStyleTag({ content: '.toc { position: static !important; }' });
  const problems = await checkEverySection('trained', [320, 375, 768, 1280], { shots: [375, 1280] });
  assert.deepEqual(problems, []);
  assert.deepEqual(consoleErrors, []);
});

test('many controls shown (Fashion-MNIST, custom model, RMSprop, ReduceLROnPlateau): nothing cut at 320, 375 and 1280 px', async () => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${base}?dataset=fashion&model=custom&layers=Conv2d:1,8,3~ReLU~MaxPool2d:2~Flatten~Linear:1352,64~ReLU~Dropout:0.25~Linear:64,10` +
    '&opt=rmsprop&sched=ReduceLROnPlateau&monitor=test_acc&mode=min&ce_weight=inverse&reduction=none&ignore_index=3&label_smoothing=0.1' +
    '&softmax_dim=0&weight_decay=0.01&momentum=oops');
  await ready();
  await page.waitForFunction(() => !document.getElementById('sched-warning').hidden && !document.getElementById('rejected').hidden);
  const problems = await checkEverySection('many controls', [320, 375, 1280]);
  assert.deepEqual(problems, []);
  assert.deepEqual(consoleErrors, []);
});

test('the embed view of several sections, with its bar, has nothing cut at 320 and 1280 px', async () => {
  const problems = [];
  for (const width of [320, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${base}?embed=train,infer&lang=ko`);
    await ready();
    for (const selector of ['#train', '#infer', '#embed-bar']) {
      await page.locator(selector).scrollIntoViewIfNeeded();
      await frames();
      for (const line of await layoutProblems(page, selector)) problems.push(`embed, ${width} px: ${line}`);
    }
    await page.screenshot({ path: join(OUT, `layout-embed-train-infer-${width}-ko.png`), fullPage: true });
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(consoleErrors, []);
});

/** Where a section's heading is, against the sticky nav and the viewport. */
const headingPlace = (id) => page.evaluate((section) => {
  const h = document.querySelector(`#${section} > h2`).getBoundingClientRect();
  const nav = document.querySelector('nav.toc').getBoundingClientRect();
  return { top: Math.round(h.top), bottom: Math.round(h.bottom), navBottom: Math.round(nav.bottom), height: innerHeight };
}, id);

async function waitForHeadingBelowNav(id, what) {
  try {
    await page.waitForFunction((section) => {
      const h = document.querySelector(`#${section} > h2`).getBoundingClientRect();
      const nav = document.querySelector('nav.toc').getBoundingClientRect();
      return h.top >= nav.bottom - 1 && h.bottom <= innerHeight && h.height > 0;
    }, id, { timeout: 5000 });
  } catch {
    assert.fail(`${what}: the heading of #${id} is not visible below the nav: ${JSON.stringify(await headingPlace(id))}`);
  }
}

test('each nav link lands with its section heading visible below the sticky nav, at 375 and 1280 px in both languages', async () => {
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    await page.goto(base);
    await ready();
    for (const lang of LANGS) {
      await setLang(lang);
      for (const id of SECTIONS) {
        await page.locator(`nav.toc a[href="#${id}"]`).click();
        await waitForHeadingBelowNav(id, `${width} px, ${lang}, nav link`);
      }
    }
  }
  assert.deepEqual(consoleErrors, []);
});

test('an address ending in #section opens at that heading and stays there while the page fills in', async () => {
  for (const [width, id] of [[375, 'infer'], [375, 'scheduler'], [1280, 'save']]) {
    await page.setViewportSize({ width, height: 800 });
    await page.goto(`${base}?lang=ko#${id}`);
    await ready();
    await page.waitForLoadState('networkidle');
    await waitForHeadingBelowNav(id, `${width} px, #${id} in the address`);
  }
  assert.deepEqual(consoleErrors, []);
});
