// datasets/mnist.js: MNIST and FashionMNIST (torchvision's names and getitem contract) read
// from IDX files, gzipped or not.
//
//   const train = await MNIST.load({ train: true, transform });   // or:
//   const ds = new MNIST('data/mnist', { train: false }); await ds.ready;
//
// Where the files come from (first match wins):
//   {images, labels}  the two files' bytes (Uint8Array / ArrayBuffer / Buffer);
//   {url}             a base URL: <url>/<name>.gz, then <url>/<name> (fetch);
//   root              a folder (Node) or a URL (browsers): <root>/<name>[.gz], then
//                     torchvision's layout <root>/MNIST/raw/<name>[.gz];
//   nothing           the bundled files, data/mnist/ (data/fashion-mnist/) at the top of
//                     the kindling repository (made by scripts/prepare-data.mjs; not in the
//                     npm package), found relative to this module.
// <name> is train-images-idx3-ubyte / train-labels-idx1-ubyte (train: true, the default) or
// t10k-images-idx3-ubyte / t10k-labels-idx1-ubyte (train: false), as in the original sets.
// `download` is accepted so torchvision code transcribes, but nothing is downloaded.
//
// getitem(i) -> [image, label]: the image is {data, width: 28, height: 28, channels: 1}
// (a read-only view into the dataset's bytes) when there is no transform, else whatever
// the transform makes — a float [1, 28, 28] tensor in [0, 1] after transforms.ToTensor().
// The label is a number (0-9) unless target_transform changes it.
// A failed load rejects `ready` (and MNIST.load) and leaves the dataset empty: using it
// then throws the load error.
import { isOptions, parseOptions, typeError } from '../errors.js';
import { Dataset } from '../utils/data.js';
import { fromValues } from '../creation.js';
import { joinLocation, readResource, toBytes } from './bytes.js';
import { readIdx } from './idx.js';

const NAMES = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
};

const OPTIONS = {
  root: undefined, train: true, transform: null, target_transform: null, download: false,
  images: undefined, labels: undefined, url: undefined,
};

/** Tries <base>/<name>.gz then <base>/<name> for each base; resolves to the first bytes found. */
async function findFile(call, bases, name) {
  const tried = [];
  for (const base of bases)
    for (const file of [`${name}.gz`, name]) {
      const location = joinLocation(base, file);
      tried.push(String(location instanceof URL ? location.href : location));
      const bytes = await readResource(location);
      if (bytes) return bytes;
    }
  throw new Error(`${call}: ${name} not found; tried ${tried.join(', ')}` +
    (bases.bundled ? ' (make the bundled files with `node scripts/prepare-data.mjs`, or pass root, url or images/labels)' : ''));
}

const applyTransform = (t, x) => (typeof t === 'function' ? t(x) : t.forward(x));

export class MNIST extends Dataset {
  static classes = ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine'];
  static folder = 'MNIST';        // torchvision's <root>/MNIST/raw
  static bundled = 'mnist';       // data/mnist/

  /** new MNIST(root?, {train, transform, target_transform, images, labels, url, download}); await ds.ready */
  constructor(root, options) {
    super();
    const call = new.target.name;
    if (isOptions(root) && options === undefined) [root, options] = [undefined, root];
    const o = parseOptions(call, options, OPTIONS);
    if (root !== undefined && o.root !== undefined) throw new TypeError(`${call}: got multiple values for argument 'root'`);
    o.root = root ?? o.root;
    if (typeof o.train !== 'boolean') throw typeError(call, 'a boolean for train', o.train);
    for (const name of ['transform', 'target_transform'])
      if (o[name] !== null && typeof o[name] !== 'function' && typeof o[name]?.forward !== 'function')
        throw typeError(call, `a function or transform for ${name}`, o[name]);
    this.root = o.root ?? null;
    this.train = o.train;
    this.transform = o.transform;
    this.target_transform = o.target_transform;
    this.classes = new.target.classes.slice();
    this.class_to_idx = Object.fromEntries(this.classes.map((c, i) => [c, i]));
    this._images = null;
    this._labels = null;
    this._n = 0;
    this._error = null;
    this.ready = this._load(call, o).then(() => this, (error) => {
      this._error = error;
      throw error;
    });
    this.ready.catch(() => {}); // reported through `ready` or on use, never as an unhandled rejection
  }

  /** await MNIST.load(root?, options): a loaded dataset. */
  static load(root, options) {
    return new this(root, options).ready;
  }

  async _load(call, o) {
    const [imageName, labelName] = NAMES[o.train ? 'train' : 'test'];
    let imageBytes, labelBytes;
    if (o.images !== undefined || o.labels !== undefined) {
      if (o.images === undefined || o.labels === undefined) throw new TypeError(`${call}: pass both images and labels bytes`);
      imageBytes = toBytes(call, o.images);
      labelBytes = toBytes(call, o.labels);
    } else {
      let bases;
      if (o.url !== undefined) bases = [o.url];
      else if (o.root !== undefined && o.root !== null) bases = [o.root, joinLocation(o.root, `${this.constructor.folder}/raw`)];
      else {
        // Built with join() rather than a literal so that bundlers do not try to resolve (and
        // fail on) a folder that the npm package does not ship.
        const name = this.constructor.bundled;
        const path = (...parts) => parts.join('/');
        bases = [new URL(path('..', '..', 'data', name, ''), import.meta.url), new URL(path('..', '..', '..', 'data', name, ''), import.meta.url)];
        bases.bundled = true;
      }
      // Both are looked for at once; when both are missing, the images' error is the one reported.
      const found = await Promise.allSettled([findFile(call, bases, imageName), findFile(call, bases, labelName)]);
      const failed = found.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      [imageBytes, labelBytes] = found.map((r) => r.value);
    }
    const parse = async (bytes, name) => {
      try {
        return await readIdx(bytes);
      } catch (error) {
        throw new Error(`${call}: ${name}: ${error.message.replace(/^readIdx: /, '')}`);
      }
    };
    const [images, labels] = await Promise.all([parse(imageBytes, imageName), parse(labelBytes, labelName)]);
    if (images.dtype !== 'uint8' || images.shape.length !== 3)
      throw new Error(`${call}: ${imageName}: expected uint8 images of shape [N, H, W], got ${images.dtype} [${images.shape.join(', ')}]`);
    if (labels.dtype !== 'uint8' || labels.shape.length !== 1)
      throw new Error(`${call}: ${labelName}: expected uint8 labels of shape [N], got ${labels.dtype} [${labels.shape.join(', ')}]`);
    if (labels.shape[0] !== images.shape[0])
      throw new Error(`${call}: ${images.shape[0]} images but ${labels.shape[0]} labels`);
    const bad = labels.data.findIndex((v) => v >= this.classes.length);
    if (bad >= 0) throw new Error(`${call}: label ${labels.data[bad]} at index ${bad} is not one of the ${this.classes.length} classes`);
    // Everything checked: only now does the dataset take the data.
    this._images = images.data;
    this._labels = labels.data;
    [this._n, this._h, this._w] = images.shape;
  }

  _checkReady() {
    if (this._images) return;
    if (this._error) throw new Error(`${this.constructor.name}: the dataset failed to load: ${this._error.message}`);
    throw new Error(`${this.constructor.name}: the dataset is still loading; await ds.ready (or use await ${this.constructor.name}.load(...))`);
  }

  len() {
    this._checkReady();
    return this._n;
  }

  getitem(index) {
    this._checkReady();
    if (!Number.isInteger(index) || index < 0 || index >= this._n)
      throw new RangeError(`${this.constructor.name}: index ${index} is out of range for a dataset of length ${this._n}`);
    const size = this._h * this._w;
    let image = { data: this._images.subarray(index * size, (index + 1) * size), width: this._w, height: this._h, channels: 1 };
    let target = this._labels[index];
    if (this.transform) image = applyTransform(this.transform, image);
    if (this.target_transform) target = applyTransform(this.target_transform, target);
    return [image, target];
  }

  /** The raw bytes: N * H * W pixels (0-255) and N labels. */
  get images() { this._checkReady(); return this._images; }
  get labels() { this._checkReady(); return this._labels; }

  /** torchvision's .targets: a kept int64 tensor [N] (made once). */
  get targets() {
    this._checkReady();
    if (!this._targets || this._targets.is_disposed) this._targets = fromValues(this._labels, [this._n], 'int64');
    return this._targets;
  }

  /** torchvision's .data: a kept float32 tensor [N, H, W] of the raw 0-255 values (kindling has no uint8). */
  get data() {
    this._checkReady();
    if (!this._data || this._data.is_disposed) this._data = fromValues(this._images, [this._n, this._h, this._w], 'float32');
    return this._data;
  }

  toString() {
    const lines = [`Dataset ${this.constructor.name}`, `    Number of datapoints: ${this._images ? this._n : '(loading)'}`];
    if (this.root !== null) lines.push(`    Root location: ${this.root}`);
    lines.push(`    Split: ${this.train ? 'Train' : 'Test'}`);
    if (this.transform) lines.push(`    StandardTransform\nTransform: ${String(this.transform).split('\n').join('\n           ')}`);
    return lines.join('\n');
  }
}

export class FashionMNIST extends MNIST {
  static classes = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
  static folder = 'FashionMNIST';
  static bundled = 'fashion-mnist';
}
