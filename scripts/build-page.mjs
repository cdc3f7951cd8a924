// build-page.mjs: `npm run build:page` — the tutorial page as a folder of static files that
// a course can host as is (GitHub Pages, any web server, `python3 -m http.server`):
//   site/               web/ (the page, its worker, sections, translations, embed.js)
//   site/dist/          the kindling modules the page imports (the wasm is inside kindling-wasm.js)
//   site/data/          the bundled MNIST and Fashion-MNIST, gzipped IDX
//   site/vendor/uplot/  uPlot's ES module and stylesheet
// The page refers to these only by relative URLs (./dist/, ./data/, ./vendor/uplot/), so the
// folder works at any path. PAGE below is the one list of what goes in; tests/page-build.test.js
// checks that every URL the page's files name is in the folder, then trains in it.
// It needs dist/ built (`npm run build:page` runs ./build.sh wasm first) and `npm ci` (uPlot).
//   node scripts/build-page.mjs [--out site]
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));

/** [from (in this repository), to (in the folder), which files]. */
export const PAGE = [
  ['web', '.', (file) => file !== 'README.md'],
  ['dist', 'dist', (file) => file.endsWith('.js')],
  ['data', 'data', (file) => file.endsWith('.gz')],
  ['node_modules/uplot/dist', 'vendor/uplot', (file) => ['uPlot.esm.js', 'uPlot.min.css'].includes(file)],
];

/** Files under dir, relative, '/'-separated. */
function listFiles(dir, prefix = '') {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]);
}

/** Writes the page into out (emptied first); returns its files as [{path, size, gzipped}]. */
export function buildPage(out) {
  out = resolve(out);
  // out is emptied: never the repository, a folder holding it, or one of the sources.
  const sources = PAGE.map(([from]) => resolve(root, from));
  if (root.startsWith(out + sep) || out === resolve(root) || sources.some((s) => out === s || out.startsWith(s + sep) || s.startsWith(out + sep)))
    throw new Error(`build-page.mjs: refusing to empty ${out}: it holds the repository or the page's sources`);
  for (const [from, , keep] of PAGE) {
    const dir = join(root, from);
    if (!existsSync(dir))
      throw new Error(`build-page.mjs: ${from}/ is missing: ${from === 'dist' ? 'run ./build.sh wasm' : from.startsWith('node_modules') ? 'run npm ci' : 'is this a full clone?'}`);
    if (!listFiles(dir).some(keep)) throw new Error(`build-page.mjs: ${from}/ has none of the files the page needs`);
  }
  // ...and only a folder this script wrote, or an empty one: --out must not wipe anything else.
  if (existsSync(out) && readdirSync(out).length && !(existsSync(join(out, 'index.html')) && existsSync(join(out, 'dist/kindling-wasm.js'))))
    throw new Error(`build-page.mjs: refusing to empty ${out}: it is not empty and not a page folder this script wrote`);
  rmSync(out, { recursive: true, force: true });
  for (const [from, to, keep] of PAGE)
    for (const file of listFiles(join(root, from)).filter(keep)) cpSync(join(root, from, file), join(out, to, file));
  return listFiles(out).map((path) => {
    const bytes = readFileSync(join(out, path));
    return { path, size: statSync(join(out, path)).size, gzipped: path.endsWith('.gz') ? bytes.length : gzipSync(bytes).length };
  });
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  let out = join(root, 'site');
  if (args[0] === '--out' && args.length === 2) out = resolve(args[1]);
  else if (args[0]?.startsWith('--out=') && args.length === 1) out = resolve(args[0].slice(6));
  else if (args.length) {
    console.error('usage: node scripts/build-page.mjs [--out site]');
    process.exit(2);
  }
  try {
    const files = buildPage(out);
    const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
    const sum = (list, key) => list.reduce((s, f) => s + f[key], 0);
    const page = files.filter((f) => !f.path.startsWith('data/'));
    const shown = relative(process.cwd(), out).startsWith('..') ? out : relative(process.cwd(), out) || '.';
    console.log(`build-page.mjs: ${shown}/ ${files.length} files, ${kib(sum(files, 'size'))} ` +
      `(without data/: ${kib(sum(page, 'size'))}, ${kib(sum(page, 'gzipped'))} gzipped); serve it with any static server, ` +
      `e.g. python3 -m http.server --directory ${shown}`);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
