// The Node examples run as a user runs them: the toy MLP learns, and the MNIST example
// (one epoch here; three in the README's figures) trains, saves, reloads and reproduces
// its test accuracy.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (script, args = []) =>
  execFileSync(process.execPath, [join(root, script), ...args], { encoding: 'utf8', cwd: mkdtempSync(join(tmpdir(), 'kindling-')) });

test('examples/toy-mlp.mjs: the loss falls and accuracy rises', () => {
  const out = run('examples/toy-mlp.mjs');
  const losses = [...out.matchAll(/loss (\d+\.\d+)/g)].map((m) => Number(m[1]));
  assert.ok(losses.length >= 5, out);
  assert.ok(losses.at(-1) < losses[0] / 4, `loss ${losses[0]} -> ${losses.at(-1)}`);
  assert.match(out, /accuracy (9\d|100)\.\d%\n.*done in/s);
});

test('examples/mnist.mjs: one epoch reaches > 92% and the reloaded model reproduces it', () => {
  const out = run('examples/mnist.mjs', ['--epochs', '1', '--out', 'model.pt']);
  const accuracy = Number(out.match(/^\s+1\s+\S+\s+\S+\s+\S+\s+(\d+\.\d+)%/m)[1]);
  assert.ok(accuracy > 92, out);
  assert.match(out, /reloaded model's test accuracy [\d.]+% \(identical\)/);
  assert.match(out, /wall time \d+\.\d s/);
});
