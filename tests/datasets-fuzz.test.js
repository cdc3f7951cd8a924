// datasets-fuzz.test.js: seeded mutation fuzzing of the dataset readers (issue 7 part 3):
// valid IDX files (raw and gzipped, the bundled MNIST labels and a small image file) and
// CSV files are mutated — bits flipped, bytes set, inserted, deleted, duplicated, the file
// truncated — and fed to readIdx / readCsv / MNIST.load. Every outcome must be a result
// or an Error whose message names the reader; never another exception type escaping from
// a typed-array constructor or DataView, never a hang; and no tensor may be left behind.
// Reproduce with KINDLING_FUZZ_SEED=<seed>; KINDLING_FUZZ_COUNT scales the run.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as torch from '../dist/index.js';
import { MNIST, readCsv, readIdx, writeIdx } from '../dist/datasets/index.js';

const SEED = Number(process.env.KINDLING_FUZZ_SEED ?? 20261127);
const COUNT = Number(process.env.KINDLING_FUZZ_COUNT ?? 600); // per family

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(SEED);
const int = (n) => Math.floor(rand() * n);
const INTERESTING = [0, 1, 2, 3, 8, 0x0b, 0x0d, 0x0e, 0x1f, 0x8b, 0x7f, 0x80, 0xff, 0x2c, 0x0a, 0x2d, 0x2e, 0x65];

function mutate(bytes) {
  const b = Array.from(bytes);
  const at = () => int(b.length + 1);
  switch (int(6)) {
    case 0: for (let i = 1 + int(4); i > 0 && b.length; i--) b[int(b.length)] ^= 1 << int(8); break;
    case 1: for (let i = 1 + int(6); i > 0 && b.length; i--) b[int(b.length)] = rand() < 0.5 ? int(256) : INTERESTING[int(INTERESTING.length)]; break;
    case 2: b.splice(at(), 0, ...Array.from({ length: 1 + int(12) }, () => int(256))); break;
    case 3: b.splice(int(b.length), 1 + int(24)); break;
    case 4: b.length = int(b.length); break;
    default: {
      const from = int(b.length), len = 1 + int(24);
      b.splice(at(), 0, ...b.slice(from, from + len));
    }
  }
  return Uint8Array.from(b);
}

/** Runs one mutated input; returns 'ok' or 'error', failing the test on anything else. */
async function attempt(label, run, name) {
  const before = torch.memory_stats().live_tensors;
  const started = performance.now();
  let outcome = 'ok';
  try {
    await run();
  } catch (error) {
    outcome = 'error';
    assert.ok(error instanceof Error, `${label}: threw a non-Error ${String(error)}`);
    assert.ok(!(error instanceof WebAssembly.RuntimeError), `${label}: wasm trap ${error.message}`);
    assert.match(error.message, name, `${label}: message does not name the reader: ${error.message}`);
  }
  assert.ok(performance.now() - started < 2000, `${label}: took over 2 s`);
  assert.equal(torch.memory_stats().live_tensors, before, `${label}: left tensors behind`);
  return outcome;
}

const labels = readFileSync(new URL('../data/mnist/t10k-labels-idx1-ubyte.gz', import.meta.url));
const images = writeIdx({ dtype: 'uint8', shape: [3, 4, 5], data: Uint8Array.from({ length: 60 }, (_, i) => i * 4) });
const floats = writeIdx({ dtype: 'float32', shape: [2, 3], data: Float32Array.from([1.5, -2, 3, 0.25, 8, -1]) });

test(`readIdx survives ${COUNT * 4} mutated IDX files (seed ${SEED})`, async () => {
  const counts = { ok: 0, error: 0 };
  const seeds = [['gzipped MNIST labels', labels], ['uint8 images', images], ['float32 array', floats], ['gzipped images', gzipSync(images)]];
  for (const [kind, valid] of seeds)
    for (let i = 0; i < COUNT; i++) {
      const bytes = mutate(valid);
      counts[await attempt(`${kind} #${i}`, async () => {
        const { shape, data } = await readIdx(bytes);
        assert.equal(data.length, shape.reduce((a, b) => a * b, 1), 'shape and data agree');
      }, /^(readIdx|gunzip|kindling)/)]++;
    }
  assert.ok(counts.error > 0 && counts.ok > 0, JSON.stringify(counts));
  console.log(`readIdx fuzz: ${JSON.stringify(counts)}`);
});

test(`MNIST.load rejects mutated files cleanly and stays empty (seed ${SEED})`, async () => {
  const goodImages = gzipSync(writeIdx({ dtype: 'uint8', shape: [4, 28, 28], data: new Uint8Array(4 * 784) }));
  const goodLabels = gzipSync(writeIdx({ dtype: 'uint8', shape: [4], data: Uint8Array.from([1, 2, 3, 4]) }));
  let loaded = 0;
  for (let i = 0; i < COUNT / 4; i++) {
    const pair = i % 2 ? { images: mutate(goodImages), labels: goodLabels } : { images: goodImages, labels: mutate(goodLabels) };
    if (await attempt(`MNIST #${i}`, () => MNIST.load(pair), /^(MNIST|readIdx|gunzip)/) === 'ok') loaded++;
  }
  assert.ok(loaded < COUNT / 4);
});

test(`readCsv survives ${COUNT} mutated CSV files (seed ${SEED})`, async () => {
  const rows = ['label,p0,p1,p2,p3'];
  for (let r = 0; r < 12; r++) rows.push([r % 3, ...Array.from({ length: 4 }, (_, c) => (r * 7 + c * 13) % 256)].join(','));
  const valid = new TextEncoder().encode(rows.join('\n') + '\n');
  const counts = { ok: 0, error: 0 };
  for (let i = 0; i < COUNT; i++) {
    const bytes = mutate(valid);
    counts[await attempt(`csv #${i}`, () => readCsv(bytes), /^(readCsv|CSVDataset)/)]++;
  }
  assert.ok(counts.error > 0, JSON.stringify(counts));
  console.log(`readCsv fuzz: ${JSON.stringify(counts)}`);
});
