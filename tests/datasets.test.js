// kindling/datasets: the IDX reader (round trips, gzip, every corrupt-input case), MNIST
// and FashionMNIST from the bundled files in data/ (made by scripts/prepare-data.mjs) and
// from bytes / paths / URLs, their failures, the CSV reader and CSVDataset, and the parts
// of the browser image helpers that run in Node (paths, classes, ordering, ImageData
// channel conversion, ImageFolder with an injected loader).
import test from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as torch from '../dist/index.js';
import * as datasets from '../dist/datasets/index.js';
import * as transforms from '../dist/transforms/index.js';

const { readIdx, writeIdx, MNIST, FashionMNIST, readCsv, CSVDataset, ImageFolder } = datasets;
const DATA = new URL('../data/', import.meta.url);
const range = (n) => Array.from({ length: n }, (_, i) => i);

test('IDX round trips every element type, gzipped or not', async () => {
  const cases = [
    ['uint8', Uint8Array.from([0, 1, 127, 128, 255, 9]), [2, 3]],
    ['int8', Int8Array.from([-128, -1, 0, 1, 127, 5]), [6]],
    ['int16', Int16Array.from([-32768, -2, 0, 300, 32767, 7]), [3, 1, 2]],
    ['int32', Int32Array.from([-2147483648, -1, 0, 65536, 2147483647, 3]), [2, 3]],
    ['float32', Float32Array.from([-1.5, 0, 3.25, 1e-8, -0, Infinity]), [1, 6]],
    ['float64', Float64Array.from([Math.PI, -Math.E, 1e300, 0, 2 ** -1074, NaN]), [6]],
  ];
  for (const [dtype, data, shape] of cases) {
    const bytes = writeIdx({ dtype, shape, data });
    for (const input of [bytes, gzipSync(bytes), bytes.buffer, Buffer.from(bytes)]) {
      const out = await readIdx(input);
      assert.equal(out.dtype, dtype);
      assert.deepEqual(out.shape, shape);
      assert.deepEqual(Array.from(out.data), Array.from(data), dtype);
      assert.equal(out.data.constructor, data.constructor);
    }
  }
  // big-endian on disk: 0x00000001 as int32 is bytes 0 0 0 1
  const one = writeIdx({ shape: [1], data: Int32Array.of(1) });
  assert.deepEqual(Array.from(one), [0, 0, 0x0c, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
});

test('readIdx rejects corrupt input with a clear Error', async () => {
  const good = writeIdx({ dtype: 'uint8', shape: [2, 2, 2], data: new Uint8Array(8) });
  const bad = async (bytes, pattern) => assert.rejects(readIdx(bytes), (e) => e instanceof Error && pattern.test(e.message));
  await bad(new Uint8Array([0, 0]), /truncated IDX data: 2 bytes/);
  await bad(Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 0]), /not an IDX file: the magic number/);
  await bad(Uint8Array.from([0, 0, 0x07, 1, 0, 0, 0, 0]), /unknown IDX element type 0x07/);
  await bad(Uint8Array.from([0, 0, 8, 0]), /0 dimensions/);
  await bad(good.subarray(0, 10), /truncated IDX header: 3 dimensions need 16 bytes/);
  await bad(good.subarray(0, good.length - 1), /truncated IDX data: dims \[2, 2, 2\] of uint8 need 24 bytes, the data has 23/);
  await bad(Uint8Array.from([...good, 0, 0]), /dims do not match the data/);
  const gz = gzipSync(good);
  await bad(gz.subarray(0, gz.length - 6), /could not decompress the gzip data/);
  await bad(gzipSync(good.subarray(0, 20)), /truncated IDX data/);
  await assert.rejects(readIdx('not bytes'), TypeError);
  assert.throws(() => writeIdx({ dtype: 'uint8', shape: [3], data: new Uint8Array(2) }), /holds 3 elements, data has 2/);
});

// The bundled split: the package's samples (class 0 first, ...) permuted by
// torch.randperm(10000, generator=torch.Generator().manual_seed(0)); 8,000 train, 2,000 test.
function expectedLabels(counts) {
  const perm = torch.utils.data.random_split(range(10000), [8000, 2000], new torch.Generator().manual_seed(0));
  const classOf = (j) => {
    let c = 0;
    for (let end = counts[0]; j >= end; end += counts[++c]);
    return c;
  };
  return perm.map((s) => s.indices.map(classOf));
}

test('MNIST loads the bundled 8,000 / 2,000 split; labels match the documented permutation', async () => {
  const train = await MNIST.load({ train: true });
  const test_ = await MNIST.load({ train: false });
  assert.equal(train.len(), 8000);
  assert.equal(test_.len(), 2000);
  const [trainLabels, testLabels] = expectedLabels([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  assert.deepEqual(Array.from(train.labels), trainLabels);
  assert.deepEqual(Array.from(test_.labels), testLabels);
  const histogram = (ds) => ds.labels.reduce((h, l) => (h[l]++, h), new Array(10).fill(0));
  const h = histogram(train).map((n, i) => n + histogram(test_)[i]);
  assert.deepEqual(h, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  assert.equal(histogram(train).reduce((a, b) => a + b), 8000);
  // no transform: a raw 28x28 image view and a number label
  const [image, label] = train.getitem(0);
  assert.equal(image.width, 28);
  assert.equal(image.height, 28);
  assert.equal(image.channels, 1);
  assert.equal(image.data.length, 784);
  assert.equal(label, trainLabels[0]);
  assert.ok(image.data.some((v) => v > 200), 'a digit has bright pixels');
  assert.equal(train.targets.dtype, 'int64');
  assert.deepEqual(train.targets.shape, [8000]);
  assert.match(String(train), /Dataset MNIST\n {4}Number of datapoints: 8000\n {4}Split: Train/);
});

test('FashionMNIST loads its bundled split: 1,000 images of each class', async () => {
  const train = await FashionMNIST.load({ train: true });
  const test_ = await FashionMNIST.load(undefined, { train: false });
  assert.equal(train.len() + test_.len(), 10000);
  const [trainLabels, testLabels] = expectedLabels(new Array(10).fill(1000));
  assert.deepEqual(Array.from(train.labels), trainLabels);
  assert.deepEqual(Array.from(test_.labels), testLabels);
  assert.equal(train.classes[9], 'Ankle boot');
  assert.equal(train.class_to_idx.Sneaker, 7);
});

test('MNIST with ToTensor + Normalize through a shuffled DataLoader', async () => {
  const transform = new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.1307], [0.3081])]);
  const train = await MNIST.load({ transform });
  const [x, y] = train.getitem(3);
  assert.deepEqual(x.shape, [1, 28, 28]);
  assert.equal(typeof y, 'number');
  const raw = (await MNIST.load()).getitem(3)[0].data;
  assert.ok(Math.abs(x.toTypedArray()[400] - (raw[400] / 255 - 0.1307) / 0.3081) < 1e-6);
  const loader = new torch.utils.data.DataLoader(train, { batch_size: 64, shuffle: true });
  assert.equal(loader.len(), 125);
  let seen = 0;
  for (const [xb, yb] of loader) {
    if (seen === 0) {
      assert.deepEqual(xb.shape, [64, 1, 28, 28]);
      assert.equal(yb.dtype, 'int64');
    }
    seen += yb.shape[0];
    if (seen >= 640) break;
  }
  assert.equal(seen, 640);
});

test('MNIST reads bytes, folders (also torchvision\'s <root>/MNIST/raw) and URLs', async () => {
  const dir = fileURLToPath(new URL('mnist/', DATA));
  const images = readFileSync(`${dir}/t10k-images-idx3-ubyte.gz`);
  const labels = readFileSync(`${dir}/t10k-labels-idx1-ubyte.gz`);
  const fromBytes = await MNIST.load({ images, labels });
  assert.equal(fromBytes.len(), 2000);
  const fromRoot = new MNIST(dir, { train: false });
  assert.throws(() => fromRoot.len(), /still loading; await ds.ready/);
  assert.equal(await fromRoot.ready, fromRoot);
  assert.equal(fromRoot.len(), 2000);
  const fromUrl = await MNIST.load({ url: new URL('mnist/', DATA), train: false });
  assert.deepEqual(fromUrl.labels, fromBytes.labels);
  const plain = await MNIST.load({ images: gunzipSync(images), labels: gunzipSync(labels) });
  assert.deepEqual(plain.images, fromBytes.images);
});

test('MNIST rejects missing or corrupt files and keeps no partial state', async () => {
  await assert.rejects(MNIST.load('/nonexistent/dir'), /train-images-idx3-ubyte not found; tried \/nonexistent\/dir\/train-images-idx3-ubyte.gz/);
  const images = writeIdx({ dtype: 'uint8', shape: [3, 28, 28], data: new Uint8Array(3 * 784) });
  const labels = writeIdx({ dtype: 'uint8', shape: [3], data: Uint8Array.of(1, 2, 3) });
  const cases = [
    [{ images, labels: labels.subarray(0, 9) }, /t10k-labels-idx1-ubyte: truncated IDX data|train-labels-idx1-ubyte: truncated IDX data/],
    [{ images, labels: writeIdx({ dtype: 'uint8', shape: [2], data: Uint8Array.of(1, 2) }) }, /3 images but 2 labels/],
    [{ images, labels: writeIdx({ dtype: 'uint8', shape: [3], data: Uint8Array.of(1, 12, 3) }) }, /label 12 at index 1 is not one of the 10 classes/],
    [{ images: labels, labels }, /expected uint8 images of shape \[N, H, W\]/],
    [{ images: Uint8Array.of(9, 9, 9, 9, 9), labels }, /not an IDX file/],
    [{ images }, /pass both images and labels/],
  ];
  for (const [options, pattern] of cases) {
    const ds = new MNIST(options);
    await assert.rejects(ds.ready, pattern);
    assert.throws(() => ds.len(), /failed to load/);
    assert.throws(() => ds.getitem(0), /failed to load/);
  }
  const ok = await MNIST.load({ images, labels });
  assert.equal(ok.len(), 3);
  assert.throws(() => ok.getitem(3), RangeError);
  assert.throws(() => new MNIST({ trian: true }), /unknown option 'trian'/);
});

test('readCsv: header detection, label columns, and every malformed input', () => {
  const text = 'label,a,b\n1,0.5,2\n0,3,-4\n\n2,1e2,0\n';
  const r = readCsv(text);
  assert.deepEqual(r.header, ['label', 'a', 'b']);
  assert.equal(r.rows, 3);
  assert.equal(r.columns, 2);
  assert.deepEqual(Array.from(r.labels), [1, 0, 2]);
  assert.ok(r.labels instanceof Int32Array);
  assert.deepEqual(Array.from(r.data), [0.5, 2, 3, -4, 100, 0]);
  assert.deepEqual(Array.from(readCsv(text, { label_column: 'b' }).labels), [2, -4, 0]);
  assert.deepEqual(Array.from(readCsv(text, { label_column: -1 }).data), [1, 0.5, 0, 3, 2, 100]);
  assert.equal(readCsv(text, { label_column: null }).labels, null);
  assert.equal(readCsv('1;2\r\n3;4\r\n', { delimiter: ';' }).header, null);
  assert.ok(readCsv('"x","y"\n"1","2.5"').labels instanceof Int32Array);
  assert.ok(readCsv('1.5,2\n', {}).labels instanceof Float32Array);
  assert.equal(readCsv(new TextEncoder().encode('\ufeff5,6\n')).labels[0], 5);
  assert.throws(() => readCsv('1,2,3\n4,5\n'), /line 2 has 2 cells, expected 3 \(as on line 1\)/);
  assert.throws(() => readCsv('label,a\n1,2\n3,x\n'), /line 3, column 2 \('a'\): "x" is not a number/);
  assert.throws(() => readCsv('1,2\n3,\n'), /line 2, column 2: "" is not a number/);
  assert.throws(() => readCsv('1,2\n3,Infinity\n'), /not a number/);
  assert.throws(() => readCsv('\n\n'), /no rows/);
  assert.throws(() => readCsv('a,b\n1,2\n', { header: false }), /line 1, column 1: "a" is not a number/);
  assert.throws(() => readCsv('1,2\n', { label_column: 'y' }), /no header/);
  assert.throws(() => readCsv('1,2\n', { label_column: 2 }), RangeError);
  assert.throws(() => readCsv('1,2\n', { delimeter: ';' }), /unknown option 'delimeter'/);
});

test('CSVDataset: tabular rows batch without per-row tensors; image rows go through ToTensor', async () => {
  const rows = range(10).map((i) => `${i % 3},${i},${i * 2}`).join('\n');
  const ds = new CSVDataset(rows);
  assert.equal(ds.len(), 10);
  const [x4, y4] = ds.getitem(4);
  assert.deepEqual(x4.tolist(), [4, 8]);
  assert.equal(y4, 1);
  const batches = Array.from(new torch.utils.data.DataLoader(ds, { batch_size: 4 }), ([x, y]) => [x.tolist(), y.tolist(), y.dtype]);
  assert.deepEqual(batches[0], [[[0, 0], [1, 2], [2, 4], [3, 6]], [0, 1, 2, 0], 'int64']);
  assert.equal(batches.length, 3);
  // an MNIST-like CSV: label then 2x2 pixels
  const csv = 'label,p0,p1,p2,p3\n7,0,255,128,3\n1,1,2,3,4\n';
  const images = await CSVDataset.load(gzipSync(csv), { image_shape: [2, 2], transform: new transforms.ToTensor() });
  const [img, label] = images.getitem(0);
  assert.equal(label, 7);
  assert.deepEqual(img.shape, [1, 2, 2]);
  assert.deepEqual(img.toTypedArray(), Float32Array.from([0, 255, 128, 3], (v) => v / 255));
  assert.throws(() => new CSVDataset('1,2,3\n', { image_shape: [3, 3] }), /holds 9 pixels, the CSV has 2 feature columns/);
  assert.throws(() => new CSVDataset('1,2,300\n', { image_shape: [1, 2] }), /integers in \[0, 255\]/);
  await assert.rejects(CSVDataset.load('/nonexistent.csv'), /not found/);
});

test('ImageFolder: classes, class_to_idx, torchvision order, extensions; an injected loader decodes', async () => {
  const file = (path) => ({ name: path.split('/').pop(), webkitRelativePath: path, size: 1 });
  const files = [
    'pets/dog/b.png', 'pets/cat/z.JPG', 'pets/cat/sub/a.png', 'pets/cat/a.png', 'pets/Zebra/1.webp', 'pets/notes.txt',
    'pets/cat/readme.txt', 'pets/dog/a.jpeg', 'pets/root.png', 'pets/émeu/x.bmp',
  ].map(file);
  const ds = new ImageFolder(files, {
    loader: async (blob) => ({ data: Uint8Array.of(blob.name.charCodeAt(0)), width: 1, height: 1, channels: 1 }),
    transform: new transforms.ToTensor(),
  });
  assert.deepEqual(ds.classes, ['Zebra', 'cat', 'dog', 'émeu']); // code point order, as Python's sorted()
  assert.deepEqual(ds.class_to_idx, { Zebra: 0, cat: 1, dog: 2, 'émeu': 3 });
  assert.deepEqual(ds.samples, [
    ['Zebra/1.webp', 0], ['cat/a.png', 1], ['cat/z.JPG', 1], ['cat/sub/a.png', 1], ['dog/a.jpeg', 2], ['dog/b.png', 2], ['émeu/x.bmp', 3],
  ]);
  assert.deepEqual(ds.targets, [0, 1, 1, 1, 2, 2, 3]);
  const [image, target] = await ds.getitem(2);
  assert.equal(target, 1);
  assert.equal(image.item(), Math.fround('z'.charCodeAt(0) / 255));
  const loader = new torch.utils.data.DataLoader(ds, { batch_size: 4 });
  const shapes = [];
  for await (const [x, y] of loader) shapes.push([x.shape, y.tolist()]);
  assert.deepEqual(shapes, [[[4, 1, 1, 1], [0, 1, 1, 1]], [[3, 1, 1, 1], [2, 2, 3]]]);
  // {file, path} items are relative to the root
  const items = new ImageFolder([{ file: {}, path: 'b/1.png' }, { file: {}, path: 'a/2.png' }]);
  assert.deepEqual(items.classes, ['a', 'b']);
  assert.throws(() => new ImageFolder([file('r/a/x.txt'), file('r/b/y.png')]), /Found no valid file for the classes a/);
  assert.throws(() => new ImageFolder([file('r/x.png')]), /Couldn't find any class folder/);
  await assert.rejects(new ImageFolder([file('r/a/x.png')]).getitem(0), /could not read a\/x.png/);
  assert.equal(datasets.classFromPath('cat/sub/a.png'), 'cat');
  assert.equal(datasets.relativePath(file('pets/cat/a.png')), 'cat/a.png');
});

test('imageFromImageData: RGBA -> L (PIL\'s luma), RGB (alpha dropped) or RGBA', () => {
  const rgba = { data: Uint8ClampedArray.from([255, 0, 0, 255, 0, 255, 0, 10, 0, 0, 255, 0, 10, 20, 30, 40]), width: 2, height: 2 };
  const gray = datasets.imageFromImageData(rgba, { channels: 1 });
  const L = (r, g, b) => (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
  assert.deepEqual(Array.from(gray.data), [L(255, 0, 0), L(0, 255, 0), L(0, 0, 255), L(10, 20, 30)]);
  // printed by /usr/bin/python3 with Debian's PIL: Image.frombytes('RGBA', (2, 2), bytes(rgba.data)).convert('L')
  assert.deepEqual(Array.from(gray.data), [76, 150, 29, 18]);
  const rgb = datasets.imageFromImageData(rgba);
  assert.equal(rgb.channels, 3);
  assert.deepEqual(Array.from(rgb.data.subarray(9)), [10, 20, 30]);
  assert.equal(datasets.imageFromImageData(rgba, { channels: 4 }).data.length, 16);
  assert.deepEqual(new transforms.ToTensor()(rgb).shape, [3, 2, 2]);
  assert.throws(() => datasets.imageFromImageData({ data: new Uint8Array(3), width: 1, height: 1 }), /ImageData/);
  assert.throws(() => datasets.imageFromCanvas({ width: 2, height: 2 }), /canvas/);
});
