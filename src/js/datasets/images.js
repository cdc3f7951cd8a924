// datasets/images.js: images in the browser — an ImageFolder over the files of a chosen
// folder (<input type="file" webkitdirectory>, drag and drop), and readers that turn an
// ImageData, canvas, ImageBitmap, <img>, Blob or File into a kindling image
// {data, width, height, channels} for transforms.ToTensor().
//
// ImageFolder follows torchvision's: classes are the sorted sub-folder names of the root,
// class_to_idx maps them to 0..n-1, samples are ordered by class, then folder path, then
// file name, files directly in the root are ignored, and only image extensions count.
// With File objects from a folder picker, the root is the chosen folder, i.e. the first
// segment of webkitRelativePath ("pets/cat/1.png": class "cat"); for items given as
// {file, path} (or {blob, path}), path is relative to the root ("cat/1.png").
//
// Decoding uses createImageBitmap and an OffscreenCanvas (or a document canvas), so it
// runs in pages and Web Workers only; ImageFolder.getitem is therefore async — iterate its
// DataLoader with `for await`. Everything else here (paths, classes, ImageData
// conversion) is plain JS and also runs in Node. Channel conversion follows PIL:
// channels 1 is PIL's convert('L') (ITU-R 601-2 luma, (19595 R + 38470 G + 7471 B +
// 0x8000) >> 16), 3 drops alpha as convert('RGB') does, 4 keeps RGBA.
import { strict } from '../args.js';
import { parseOptions, typeError, describe } from '../errors.js';
import { Dataset } from '../utils/data.js';

/** torchvision's IMG_EXTENSIONS. */
export const IMG_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp'];

/** Compares strings by code point, as Python's sorted() does. */
export function comparePaths(a, b) {
  const x = [...a], y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d) return d;
  }
  return x.length - y.length;
}

function checkChannels(call, channels) {
  if (channels !== 1 && channels !== 3 && channels !== 4) throw typeError(call, 'channels 1, 3 or 4', channels);
  return channels;
}

/** An RGBA ImageData (or anything {data, width, height} with 4 bytes a pixel) -> an image of 1, 3 or 4 channels. */
export function imageFromImageData(imageData, { channels = 3 } = {}) {
  checkChannels('imageFromImageData', channels);
  const { data, width, height } = imageData ?? {};
  if (!(data instanceof Uint8ClampedArray || data instanceof Uint8Array) || !Number.isInteger(width) || !Number.isInteger(height) ||
      data.length !== width * height * 4)
    throw typeError('imageFromImageData', 'an ImageData (RGBA bytes, width, height)', imageData);
  const n = width * height;
  const out = new Uint8Array(n * channels);
  if (channels === 4) out.set(data);
  else if (channels === 3) for (let i = 0; i < n; i++) { out[3 * i] = data[4 * i]; out[3 * i + 1] = data[4 * i + 1]; out[3 * i + 2] = data[4 * i + 2]; }
  else for (let i = 0; i < n; i++) out[i] = (data[4 * i] * 19595 + data[4 * i + 1] * 38470 + data[4 * i + 2] * 7471 + 0x8000) >> 16;
  return { data: out, width, height, channels };
}

function makeCanvas(width, height) {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(width, height);
  if (typeof document !== 'undefined') {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    return canvas;
  }
  throw new Error('reading images needs a canvas (OffscreenCanvas or a document): it works in browsers and Web Workers, not in Node');
}

function sizeOf(call, size) {
  if (size === null || size === undefined) return null;
  const pair = typeof size === 'number' ? [size, size] : size;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((v) => Number.isInteger(v) && v > 0))
    throw typeError(call, 'a positive int or [height, width] for size', size);
  return pair;
}

/**
 * Draws anything canvas.drawImage accepts (a canvas, OffscreenCanvas, ImageBitmap, <img>,
 * <video>) into an image; size [h, w] scales it (the browser's smoothing) on the way.
 */
export function imageFromCanvas(source, { channels = 3, size = null } = {}) {
  checkChannels('imageFromCanvas', channels);
  const target = sizeOf('imageFromCanvas', size);
  const width = source?.width ?? source?.naturalWidth, height = source?.height ?? source?.naturalHeight;
  if (!Number.isInteger(width) || !Number.isInteger(height))
    throw typeError('imageFromCanvas', 'a canvas, ImageBitmap or image element', source);
  const [h, w] = target ?? [height, width];
  let context;
  const reuse = !target && typeof source.getContext === 'function';
  if (reuse) context = source.getContext('2d', { willReadFrequently: true });
  if (!context) {
    context = makeCanvas(w, h).getContext('2d', { willReadFrequently: true });
    context.drawImage(source, 0, 0, w, h);
  }
  return imageFromImageData(context.getImageData(0, 0, w, h), { channels });
}

const isImageDataLike = (x) => x !== null && typeof x === 'object' && 'data' in x && 'width' in x && 'height' in x &&
  typeof x.getContext !== 'function';

/** await loadImage(blob | File | ImageBitmap | canvas | <img> | ImageData, {channels, size}) -> an image. */
export async function loadImage(source, { channels = 3, size = null } = {}) {
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    if (typeof createImageBitmap === 'undefined') throw new Error('loadImage: decoding a Blob needs createImageBitmap (browsers and Web Workers)');
    const bitmap = await createImageBitmap(source);
    try {
      return imageFromCanvas(bitmap, { channels, size });
    } finally {
      bitmap.close?.();
    }
  }
  if (isImageDataLike(source)) {
    if (!sizeOf('loadImage', size)) return imageFromImageData(source, { channels });
    const canvas = makeCanvas(source.width, source.height);
    const data = typeof ImageData !== 'undefined' && source instanceof ImageData ? source
      : new ImageData(new Uint8ClampedArray(source.data), source.width, source.height);
    canvas.getContext('2d').putImageData(data, 0, 0);
    return imageFromCanvas(canvas, { channels, size });
  }
  return imageFromCanvas(source, { channels, size });
}

/** The root-relative path of a File ("pets/cat/1.png" -> "cat/1.png") or of a {file|blob, path} item. */
export const relativePath = strict('relativePath(item: any)', (item) => {
  if (item && typeof item === 'object' && typeof item.path === 'string' && (item.file || item.blob)) return item.path;
  const rel = item?.webkitRelativePath;
  if (typeof rel === 'string' && rel) return rel.split('/').filter(Boolean).slice(1).join('/');
  if (typeof item?.name === 'string') return item.name;
  throw typeError('ImageFolder', 'a File (from a folder picker) or {file, path}', item);
});

/** The class of a root-relative path: its first folder ("cat/sub/1.png" -> "cat"), or null for a file in the root. */
export const classFromPath = strict('classFromPath(path)', (path) => {
  const parts = String(path).split('/').filter(Boolean);
  return parts.length >= 2 ? parts[0] : null;
});

/** torchvision's find_classes, from root-relative paths: [classes, class_to_idx]. */
export const find_classes = strict('find_classes(paths)', (paths) => {
  const classes = [...new Set(Array.from(paths, (path) => classFromPath(path)).filter((c) => c !== null))].sort(comparePaths);
  if (!classes.length) throw new Error("ImageFolder: Couldn't find any class folder (files must sit in <root>/<class>/...)");
  return [classes, Object.fromEntries(classes.map((c, i) => [c, i]))];
});

const hasImageExtension = (path, extensions) => {
  const lower = path.toLowerCase();
  return extensions.some((ext) => lower.endsWith(ext));
};

const applyTransform = (t, x) => (typeof t === 'function' ? t(x) : t.forward(x));

/**
 * new ImageFolder(files, {transform, target_transform, loader, is_valid_file, extensions,
 * channels = 3, size}) — files: a FileList or an array of Files / {file, path} items.
 * loader(blob) -> Promise<image> replaces the default decoder (loadImage with channels and
 * size). getitem(i) -> Promise<[image, class index]>.
 */
export class ImageFolder extends Dataset {
  constructor(files, options) {
    super();
    const o = parseOptions('ImageFolder', options, {
      transform: null, target_transform: null, loader: null, is_valid_file: null, extensions: IMG_EXTENSIONS, channels: 3, size: null,
    });
    if (!files || typeof files[Symbol.iterator] !== 'function' && typeof files.length !== 'number')
      throw typeError('ImageFolder', 'a FileList or an array of files', files);
    checkChannels('ImageFolder', o.channels);
    sizeOf('ImageFolder', o.size);
    if (o.is_valid_file !== null && typeof o.is_valid_file !== 'function') throw typeError('ImageFolder', 'a function for is_valid_file', o.is_valid_file);
    if (o.loader !== null && typeof o.loader !== 'function') throw typeError('ImageFolder', 'a function for loader', o.loader);
    const items = Array.from(files, (item) => ({ item, path: relativePath(item) }));
    const [classes, class_to_idx] = find_classes(items.map((e) => e.path));
    const valid = o.is_valid_file ?? ((path) => hasImageExtension(path, o.extensions.map((e) => e.toLowerCase())));
    const entries = [];
    for (const { item, path } of items) {
      const cls = classFromPath(path);
      if (cls === null || !valid(path)) continue;
      const slash = path.lastIndexOf('/');
      entries.push({ blob: item.file ?? item.blob ?? item, path, target: class_to_idx[cls], dir: path.slice(0, slash), name: path.slice(slash + 1) });
    }
    // torchvision: for each sorted class, sorted(os.walk(class dir)) then sorted file names
    entries.sort((a, b) => a.target - b.target || comparePaths(a.dir, b.dir) || comparePaths(a.name, b.name));
    const empty = classes.filter((_, i) => !entries.some((e) => e.target === i));
    if (empty.length)
      throw new Error(`ImageFolder: Found no valid file for the classes ${empty.join(', ')}. Supported extensions are: ${o.extensions.join(', ')}`);
    this.classes = classes;
    this.class_to_idx = class_to_idx;
    this.samples = entries.map((e) => [e.path, e.target]);
    this.targets = entries.map((e) => e.target);
    this.imgs = this.samples;
    this.transform = o.transform;
    this.target_transform = o.target_transform;
    this.loader = o.loader ?? ((blob) => loadImage(blob, { channels: o.channels, size: o.size }));
    this._blobs = entries.map((e) => e.blob);
  }

  len() { return this.samples.length; }

  async getitem(index) {
    if (!Number.isInteger(index) || index < 0 || index >= this.samples.length)
      throw new RangeError(`ImageFolder: index ${index} is out of range for a dataset of length ${this.samples.length}`);
    let image;
    try {
      image = await this.loader(this._blobs[index]);
    } catch (error) {
      throw new Error(`ImageFolder: could not read ${this.samples[index][0]}: ${error.message ?? describe(error)}`);
    }
    let target = this.samples[index][1];
    if (this.transform) image = applyTransform(this.transform, image);
    if (this.target_transform) target = applyTransform(this.target_transform, target);
    return [image, target];
  }
}
