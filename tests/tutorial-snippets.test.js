// tutorial-snippets.test.js: the tutorial chapter's snippets (examples/tutorial/*.mjs) run
// as transcribed and print PyTorch's numbers (issue 4, part 5). Each example runs as its own
// process (`node examples/tutorial/<name>.mjs`); its output is split into words and numbers
// the way tests/fixtures/generate_tutorial.py split what the same code printed in PyTorch
// (tests/fixtures/tutorial_expected.json): the words must be the same, the numbers within
// 1e-5 relative, and nothing may be printed on stderr (PyTorch gave no warning either).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assertClose, loadFixture } from './helpers.js';

const expected = loadFixture('tutorial_expected.json');
const EXAMPLES = fileURLToPath(new URL('../examples/tutorial/', import.meta.url));
const ROOT = fileURLToPath(new URL('../', import.meta.url));

// |kindling - torch| <= ATOL + RTOL * |torch|: the printed losses and probabilities are
// float32 values printed in full; the lrs are doubles (exact or within 1e-15 either way).
const RTOL = 1e-5;
const ATOL = 1e-7;

// generate_tutorial.py's tokens(): split at blanks, brackets, commas, colons, '=', quotes;
// a token that reads as a number is a number, any other a word.
const SPLIT = /[\s[\](),:='{}]+/;
const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$|^[-+]?(?:nan|NaN|inf|Infinity)$/;
function tokens(text) {
  const words = [], numbers = [];
  for (const tok of text.split(SPLIT)) {
    if (!tok) continue;
    if (NUMBER.test(tok)) numbers.push(/inf/i.test(tok) ? (tok.startsWith('-') ? -Infinity : Infinity) : Number(tok));
    else words.push(tok);
  }
  return { words, numbers };
}


test('every example has PyTorch output, and every example file is covered', () => {
  assert.match(expected.torch_version, /^\d+\.\d+/);
  assert.equal(expected.aten_cpu_capability, 'default');
  assert.ok(expected.examples.length >= 10);
  for (const ex of expected.examples) // this file splits text exactly as generate_tutorial.py did
    assert.deepEqual(tokens(ex.stdout), { words: ex.words, numbers: ex.numbers }, `tokens of ${ex.example}`);
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.mjs')).sort();
  assert.deepEqual(files, expected.examples.map((e) => e.example).sort(), 'examples/tutorial/*.mjs vs generate_tutorial.py');
});

// The examples run two at a time (this machine type has 2 cores), started up front.
function runExample(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [EXAMPLES + file], { cwd: ROOT, timeout: 60000 });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    child.on('error', (e) => resolve({ status: null, stdout, stderr: stderr + e.message }));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
const queue = expected.examples.map((ex) => ex.example);
const runs = new Map();
let chain = [Promise.resolve(), Promise.resolve()];
queue.forEach((file, i) => {
  const p = chain[i % 2].then(() => runExample(file));
  chain[i % 2] = p;
  runs.set(file, p);
});

for (const ex of expected.examples) {
  test(`examples/tutorial/${ex.example} prints PyTorch's numbers`, { timeout: 120000 }, async () => {
    const run = await runs.get(ex.example);
    assert.equal(run.status, 0, `node ${ex.example} exited with ${run.status}:\n${run.stderr}`);
    assert.equal(run.stderr, '', `${ex.example} wrote to stderr`);
    const got = tokens(run.stdout);
    assert.deepEqual(got.words, ex.words, `${ex.example}: the printed words differ from PyTorch's.\nkindling:\n${run.stdout}\nPyTorch:\n${ex.stdout}`);
    try {
      assertClose(got.numbers, ex.numbers, { rtol: RTOL, atol: ATOL, label: `${ex.example}: printed numbers` });
    } catch (e) {
      e.message += `\nkindling printed:\n${run.stdout}\nPyTorch printed:\n${ex.stdout}`;
      throw e;
    }
  });
}
