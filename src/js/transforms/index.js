// transforms/index.js: `import * as transforms from 'kindling/transforms'` — torchvision's
// transforms with its names and defaults: ToTensor, Normalize, Compose, Lambda, Resize,
// CenterCrop, Pad, RandomCrop, RandomHorizontalFlip, RandomVerticalFlip, RandomRotation.
// Transforms are callable (`t(img)`, or `t.forward(img)`).
//
// Inputs: an image {data, width, height, channels} (transforms/image.js; what a dataset
// without a transform returns, torchvision's PIL image) or a Tensor [..., H, W]. The
// geometric transforms accept both and return the same kind; ToTensor turns an image into
// a float [C, H, W] tensor / 255; Normalize needs a float tensor. Tensors made here are
// step-scoped like op results (README, "Memory"), so per-sample transforms inside a
// DataLoader loop need no dispose calls.
//
// Randomness: the random transforms draw from the default generator (torch.manual_seed)
// with torchvision's own calls, in its order — RandomCrop: torch.randint(0, h - th + 1,
// (1,)) then the same for j (no draw when the crop is the whole image);
// Random{Horizontal,Vertical}Flip: torch.rand(1) < p; RandomRotation:
// torch.empty(1).uniform_(d0, d1). So after the same seed the same crops, flips and angles
// come out as in torchvision on tensors. RandomRotation resamples as torchvision's tensor
// path does (affine grid, grid_sample nearest, float32 arithmetic) so its pixels match
// except, rarely, at exact .5 ties; Resize is PyTorch's interpolate (bilinear,
// align_corners=False, antialias off) on tensors, and the same arithmetic rounded to bytes
// on images (torchvision resizes PIL images with PIL's antialiased filter instead).
//
// Not here: color transforms, affine / perspective, RandomResizedCrop, AutoAugment,
// bilinear rotation, expand=True, antialiased resizing.
import { bind, bindArgs, pyRepr, signatures } from '../args.js';
import { k } from '../core.js';
import { describe, isOptions, parseOptions, typeError } from '../errors.js';
import { uniformDraw, randintDraw } from '../generator.js';
import { Tensor } from '../tensor.js';
import '../math.js'; // Tensor's math methods (max, pow, clamp, ...) whichever entry point loads first
import { FLOAT32, INT64, dataView, emptyTensor } from './buffers.js';
import { imageChannels, isImage, toPlanes } from './image.js';

export { isImage } from './image.js';

/** torchvision's InterpolationMode values (strings here). */
export const InterpolationMode = Object.freeze({ NEAREST: 'nearest', BILINEAR: 'bilinear' });

/** The base class: instances are callable, like torchvision's transforms. */
export class Transform {
  constructor(...args) {
    bindArgs(`${new.target.name}()`, args); // a subclass with arguments has its own constructor
    const self = function (x) { return self.forward(x); };
    delete self.name;
    delete self.length;
    Object.setPrototypeOf(self, new.target.prototype);
    return self;
  }
  forward() { throw new Error(`${this.constructor.name}: a Transform subclass must define forward(x)`); }
  __call__(x) { return this.forward(x); }
  /** Built-in transforms return fresh values and keep no reference to them (see Compose). */
  get _pure() { return false; }
  _args() { return ''; }
  toString() { return `${this.constructor.name}(${this._args()})`; }
  [Symbol.for('nodejs.util.inspect.custom')]() { return this.toString(); }
}

class Builtin extends Transform {
  get _pure() { return true; }
}

const callTransform = (t, x) => (typeof t === 'function' ? t(x) : t.forward(x));

export class Compose extends Transform {
  constructor(...args) {
    super();
    const [transforms] = bindArgs('Compose(transforms)', args);
    if (!Array.isArray(transforms)) throw typeError('Compose', 'an array of transforms', transforms);
    transforms.forEach((t, i) => {
      if (typeof t !== 'function' && typeof t?.forward !== 'function')
        throw typeError('Compose', `a transform (a function or an object with forward) at index ${i}`, t);
    });
    this.transforms = transforms;
  }
  get _pure() { return this.transforms.every((t) => t instanceof Transform && t._pure); }
  forward(x) {
    if (!this._pure) {
      for (const t of this.transforms) x = callTransform(t, x);
      return x;
    }
    // Only built-in transforms: nothing else saw the tensors made between them, so they are
    // freed now rather than two loop turns later.
    const input = x;
    const made = [];
    for (const t of this.transforms) {
      x = t.forward(x);
      if (x instanceof Tensor && x !== input) made.push(x);
    }
    for (const t of made) if (t !== x) t.dispose();
    return x;
  }
  toString() {
    return `Compose(\n${this.transforms.map((t) => `    ${String(t).split('\n').join('\n    ')}`).join('\n')}\n)`;
  }
}

export class Lambda extends Transform {
  constructor(...args) {
    super();
    const [lambd] = bindArgs('Lambda(lambd)', args);
    if (typeof lambd !== 'function') throw typeError('Lambda', 'a function', lambd);
    this.lambd = lambd;
  }
  forward(x) { return this.lambd(x); }
}

// --- ToTensor and Normalize ----------------------------------------------------------------

const BYTE_TO_FLOAT = Float32Array.from({ length: 256 }, (_, v) => v / 255); // float32(v) / 255, rounded once

/**
 * An image (uint8 HxWxC) -> float32 tensor [C, H, W] in [0, 1]. Also {data, shape} with
 * shape [H, W] or [H, W, C] (a numpy-like array): uint8 data is divided by 255, float
 * data is kept as is, other integers become an int64 tensor, as torchvision does.
 */
export class ToTensor extends Builtin {
  forward(pic) {
    let data, H, W, C;
    if (isImage(pic)) {
      C = imageChannels('ToTensor', pic);
      ({ data, height: H, width: W } = pic);
    } else if (pic && typeof pic === 'object' && !(pic instanceof Tensor) && ArrayBuffer.isView(pic.data) && Array.isArray(pic.shape)) {
      const shape = pic.shape;
      if ((shape.length !== 2 && shape.length !== 3) || !shape.every((d) => Number.isInteger(d) && d >= 0))
        throw new RangeError(`ToTensor: pic should be 2 or 3 dimensional (H, W[, C]), got shape [${shape.join(', ')}]`);
      [H, W, C = 1] = shape;
      data = pic.data;
      if (data.length !== H * W * C)
        throw new RangeError(`ToTensor: shape [${shape.join(', ')}] needs ${H * W * C} values, data has ${data.length}`);
    } else {
      throw new TypeError(`ToTensor: pic should be an image {data, width, height, channels} or {data, shape}, got ${describe(pic)}`);
    }
    const bytes = data instanceof Uint8Array || data instanceof Uint8ClampedArray;
    const isFloat = data instanceof Float32Array || data instanceof Float64Array;
    const out = emptyTensor([C, H, W], bytes || isFloat ? FLOAT32 : INT64);
    if (bytes) bytesToFloat(floatView(out), data, C, H * W);
    else {
      const dst = dataView(out);
      const hw = H * W;
      for (let c = 0; c < C; c++) for (let i = 0; i < hw; i++) dst[c * hw + i] = Number(data[i * C + c]);
    }
    return out;
  }
}

/** A float32 tensor's elements as a Float32Array (kept apart from dataView so loops stay monomorphic). */
function floatView(t) {
  return new Float32Array(k.memory.buffer, k.k_data(t.handle), t.numel());
}

/** HWC bytes -> CHW floats / 255 (one small hot loop per layout, for V8). */
function bytesToFloat(dst, src, C, hw) {
  const table = BYTE_TO_FLOAT;
  if (C === 1) {
    for (let i = 0; i < hw; i++) dst[i] = table[src[i]];
    return;
  }
  for (let c = 0; c < C; c++) {
    const o = c * hw;
    for (let i = 0; i < hw; i++) dst[o + i] = table[src[i * C + c]];
  }
}

/** dst[i] = (src[i] - m) / s over [from, to): float32 subtract then float32 divide, as PyTorch. */
function normalizeRange(dst, src, from, to, m, s) {
  for (let i = from; i < to; i++) dst[i] = Math.fround(src[i] - m) / s;
}

function numberList(call, name, v) {
  const list = typeof v === 'number' ? [v] : Array.isArray(v) || ArrayBuffer.isView(v) ? Array.from(v) : null;
  if (!list || !list.length || !list.every((x) => typeof x === 'number' && Number.isFinite(x)))
    throw typeError(call, `a number or a non-empty array of numbers for ${name}`, v);
  return list;
}

/** Normalize(mean, std, inplace = false): (x - mean[c]) / std[c] per channel, in float32 as PyTorch. */
export class Normalize extends Builtin {
  constructor(mean, std, inplace = false) {
    super();
    if (isOptions(inplace)) ({ inplace } = parseOptions('Normalize', inplace, { inplace: false }));
    this.mean = numberList('Normalize', 'mean', mean);
    this.std = numberList('Normalize', 'std', std);
    this.inplace = inplace;
    this._m = Float32Array.from(this.mean);
    this._s = Float32Array.from(this.std);
    if (this._s.some((s) => s === 0))
      throw new RangeError(`Normalize: std evaluated to zero after conversion to float32, leading to division by zero (std=${pyRepr(this.std)})`);
  }
  forward(tensor) {
    if (!(tensor instanceof Tensor)) throw typeError('Normalize', 'a Tensor (put transforms.ToTensor() before Normalize)', tensor);
    if (tensor.dtype !== 'float32') throw new TypeError(`Normalize: Input tensor should be a float tensor. Got ${tensor.dtype}.`);
    const shape = tensor.shape;
    if (shape.length < 3)
      throw new RangeError(`Normalize: Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = [${shape.join(', ')}]`);
    const C = shape[shape.length - 3];
    const { _m: m, _s: s } = this;
    for (const [name, list] of [['mean', m], ['std', s]])
      if (list.length !== 1 && list.length !== C)
        throw new RangeError(`Normalize: ${name} has ${list.length} values, the tensor has ${C} channels`);
    if (tensor.requires_grad) { // differentiable path: broadcast ops
      const view = [m.length, 1, 1];
      return tensor.sub(opConst(m, view)).div(opConst(s, view));
    }
    const out = this.inplace ? tensor : emptyTensor(shape, FLOAT32);
    const src = floatView(tensor);
    const dst = floatView(out);
    const hw = shape[shape.length - 1] * shape[shape.length - 2];
    const planes = src.length / hw;
    // float32 subtract, then float32 divide: the double results round to PyTorch's floats
    for (let p = 0; p < planes; p++) {
      const c = p % C;
      normalizeRange(dst, src, p * hw, (p + 1) * hw, m.length === 1 ? m[0] : m[c], s.length === 1 ? s[0] : s[c]);
    }
    return out;
  }
  _args() { return `mean=${pyRepr(this.mean)}, std=${pyRepr(this.std)}`; }
}

function opConst(values, shape) {
  const t = emptyTensor(shape, FLOAT32);
  dataView(t).set(values);
  return t;
}

// --- geometry on planes --------------------------------------------------------------------

function fillList(call, fill, C) {
  const list = typeof fill === 'number' ? [fill] : Array.isArray(fill) ? fill : null;
  if (!list || !list.every((v) => typeof v === 'number')) throw typeError(call, 'a number or an array of numbers for fill', fill);
  if (list.length !== 1 && list.length !== C)
    throw new RangeError(`${call}: fill has ${list.length} values, the image has ${C} channels`);
  return Array.from({ length: C }, (_, c) => list[list.length === 1 ? 0 : c]);
}

const PAD_MODES = ['constant', 'edge', 'reflect', 'symmetric'];

/** Source index for a padded position i (may be outside [0, n)), or -1 for the fill value. */
function padIndex(i, n, mode) {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case 'edge': return i < 0 ? 0 : n - 1;
    case 'reflect': return i < 0 ? -i : 2 * n - 2 - i;
    case 'symmetric': return i < 0 ? -i - 1 : 2 * n - 1 - i;
    default: return -1;
  }
}

function padPlanes(call, p, [l, t, r, b], fill, mode) {
  if (mode === 'reflect' && (l >= p.W || r >= p.W || t >= p.H || b >= p.H))
    throw new RangeError(`${call}: reflect padding must be smaller than the image (padding [${l}, ${t}, ${r}, ${b}] for ${p.H}x${p.W})`);
  if (mode === 'symmetric' && (l > p.W || r > p.W || t > p.H || b > p.H))
    throw new RangeError(`${call}: symmetric padding must not exceed the image size (padding [${l}, ${t}, ${r}, ${b}] for ${p.H}x${p.W})`);
  if (mode === 'edge' && (p.W === 0 || p.H === 0)) throw new RangeError(`${call}: cannot edge-pad an empty image`);
  const H = p.H + t + b, W = p.W + l + r;
  if (H < 0 || W < 0) throw new RangeError(`${call}: negative padding would leave a ${H}x${W} image`);
  const out = p.like(p.C, H, W);
  const fills = fillList(call, fill, p.C);
  const xs = Int32Array.from({ length: W }, (_, x) => padIndex(x - l, p.W, mode));
  for (let c = 0; c < p.C; c++) {
    for (let y = 0; y < H; y++) {
      const sy = padIndex(y - t, p.H, mode);
      const o = (c * H + y) * W;
      if (sy < 0) { out.data.fill(fills[c], o, o + W); continue; }
      const row = (c * p.H + sy) * p.W;
      for (let x = 0; x < W; x++) out.data[o + x] = xs[x] < 0 ? fills[c] : p.data[row + xs[x]];
    }
  }
  return out;
}

function cropPlanes(p, top, left, h, w) {
  const out = p.like(p.C, h, w);
  for (let c = 0; c < p.C; c++)
    for (let y = 0; y < h; y++) {
      const row = (c * p.H + top + y) * p.W + left;
      out.data.set(p.data.subarray(row, row + w), (c * h + y) * w);
    }
  return out;
}

function flipPlanes(p, horizontal) {
  const out = p.like(p.C, p.H, p.W);
  const { C, H, W } = p;
  for (let c = 0; c < C; c++)
    for (let y = 0; y < H; y++) {
      const o = (c * H + y) * W;
      const s = horizontal ? o : (c * H + (H - 1 - y)) * W;
      if (horizontal) for (let x = 0; x < W; x++) out.data[o + x] = p.data[s + W - 1 - x];
      else out.data.set(p.data.subarray(s, s + W), o);
    }
  return out;
}

const f = Math.fround;

/** Python's round() / C's nearbyint: halves go to the even neighbour. */
function roundHalfEven(v) {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * torchvision's F.rotate on a tensor: the inverse affine matrix, the affine grid
 * (base grid times theta / (w/2, h/2)) and grid_sample(mode='nearest', zeros,
 * align_corners=False) with out-of-image pixels set to fill, in float32 like the tensors
 * PyTorch computes with.
 */
function rotatePlanes(p, angle, center, fill) {
  const { C, H, W } = p;
  const [cx, cy] = center ? [center[0] - W * 0.5, center[1] - H * 0.5] : [0, 0];
  const rot = -angle * (Math.PI / 180);
  const cos = Math.cos(rot), sin = Math.sin(rot);
  const m = [cos, sin, 0, -sin, cos, 0]; // [d, -b, 0, -c, a, 0] with a = d = cos, b = -sin, c = sin
  m[2] += m[0] * -cx + m[1] * -cy;
  m[5] += m[3] * -cx + m[4] * -cy;
  m[2] += cx;
  m[5] += cy;
  const theta = m.map(f);
  const hw = f(0.5 * W), hh = f(0.5 * H);
  // rescaled_theta = theta.T / [0.5 w, 0.5 h]: column 0 of the grid uses theta row 0 / (w/2)
  const r = [f(theta[0] / hw), f(theta[1] / hw), f(theta[2] / hw), f(theta[3] / hh), f(theta[4] / hh), f(theta[5] / hh)];
  const sx = f(W / 2), sy = f(H / 2);
  const out = p.like(C, H, W);
  const fills = fillList('RandomRotation', fill, C);
  for (let y = 0; y < H; y++) {
    const yb = -H * 0.5 + 0.5 + y;
    for (let x = 0; x < W; x++) {
      const xb = -W * 0.5 + 0.5 + x;
      const gx = f(f(f(xb * r[0]) + f(yb * r[1])) + r[2]);
      const gy = f(f(f(xb * r[3]) + f(yb * r[4])) + r[5]);
      const ix = roundHalfEven(f(f(f(gx + 1) * sx) - 0.5));
      const iy = roundHalfEven(f(f(f(gy + 1) * sy) - 0.5));
      const inside = ix >= 0 && ix < W && iy >= 0 && iy < H;
      for (let c = 0; c < C; c++)
        out.data[(c * H + y) * W + x] = inside ? p.data[(c * H + iy) * W + ix] : fills[c];
    }
  }
  return out;
}

/** PyTorch's linear interpolation indices and weights along one axis (float32, align_corners=False). */
function linearAxis(inSize, outSize) {
  const scale = f(inSize / outSize);
  const i0 = new Int32Array(outSize), i1 = new Int32Array(outSize);
  const w0 = new Float32Array(outSize), w1 = new Float32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    let src = f(f(scale * (o + 0.5)) - 0.5);
    if (src < 0) src = 0;
    const k = Math.floor(src);
    i0[o] = k;
    i1[o] = k + (k < inSize - 1 ? 1 : 0);
    w1[o] = f(src - k);
    w0[o] = f(1 - w1[o]);
  }
  return { i0, i1, w0, w1 };
}

/** PyTorch's legacy 'nearest' source index: floor(o * (in / out)) in float32. */
function nearestAxis(inSize, outSize) {
  const scale = f(inSize / outSize);
  return Int32Array.from({ length: outSize }, (_, o) =>
    outSize === inSize ? o : outSize === 2 * inSize ? o >> 1 : Math.min(Math.floor(f(o * scale)), inSize - 1));
}

function resizePlanes(p, oh, ow, mode) {
  const out = p.like(p.C, oh, ow);
  const { C, H, W } = p;
  const integer = !(p.data instanceof Float32Array);
  if (mode === 'nearest') {
    const ys = nearestAxis(H, oh), xs = nearestAxis(W, ow);
    for (let c = 0; c < C; c++)
      for (let y = 0; y < oh; y++) {
        const row = (c * H + ys[y]) * W, o = (c * oh + y) * ow;
        for (let x = 0; x < ow; x++) out.data[o + x] = p.data[row + xs[x]];
      }
    return out;
  }
  const ay = linearAxis(H, oh), ax = linearAxis(W, ow);
  for (let c = 0; c < C; c++)
    for (let y = 0; y < oh; y++) {
      const r0 = (c * H + ay.i0[y]) * W, r1 = (c * H + ay.i1[y]) * W;
      const h0 = ay.w0[y], h1 = ay.w1[y];
      const o = (c * oh + y) * ow;
      for (let x = 0; x < ow; x++) {
        const x0 = ax.i0[x], x1 = ax.i1[x], w0 = ax.w0[x], w1 = ax.w1[x];
        const top = f(f(w0 * p.data[r0 + x0]) + f(w1 * p.data[r0 + x1]));
        const bottom = f(f(w0 * p.data[r1 + x0]) + f(w1 * p.data[r1 + x1]));
        const v = f(f(h0 * top) + f(h1 * bottom));
        out.data[o + x] = integer && !(out.data instanceof Uint8ClampedArray) ? Math.round(v) : v;
      }
    }
  return out;
}

// --- geometric transforms -----------------------------------------------------------------

/** An int or [h, w] (or [s]) -> [h, w], as torchvision's _setup_size. */
function sizePair(call, size) {
  const list = typeof size === 'number' ? [size, size] : Array.isArray(size) && size.length === 1 ? [size[0], size[0]] : size;
  if (!Array.isArray(list) || list.length !== 2 || !list.every((v) => Number.isInteger(v) && v > 0))
    throw typeError(call, 'a positive int or a sequence [h, w] of positive ints for size', size);
  return list;
}

/** torchvision padding: int (all sides), [lr, tb] or [l, t, r, b] -> [l, t, r, b]. */
function paddingList(call, padding) {
  const list = typeof padding === 'number' ? [padding] : Array.isArray(padding) ? padding : null;
  if (!list || ![1, 2, 4].includes(list.length) || !list.every((v) => Number.isInteger(v)))
    throw typeError(call, 'an int or a sequence of 1, 2 or 4 ints for padding', padding);
  if (list.length === 1) return [list[0], list[0], list[0], list[0]];
  if (list.length === 2) return [list[0], list[1], list[0], list[1]];
  return list.slice();
}

function checkPadMode(call, mode) {
  if (!PAD_MODES.includes(mode)) throw new TypeError(`${call}: padding_mode should be one of ${PAD_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  return mode;
}

export class Pad extends Builtin {
  constructor(padding, fill = 0, padding_mode = 'constant') {
    super();
    const o = isOptions(fill) ? parseOptions('Pad', fill, { fill: 0, padding_mode: 'constant' }) : { fill, padding_mode };
    this.padding = paddingList('Pad', padding);
    this.fill = o.fill;
    this.padding_mode = checkPadMode('Pad', o.padding_mode);
  }
  forward(img) {
    const { planes, back } = toPlanes('Pad', img);
    return back(padPlanes('Pad', planes, this.padding, this.fill, this.padding_mode));
  }
  _args() { return `padding=${pyRepr(this.padding)}, fill=${pyRepr(this.fill)}, padding_mode=${this.padding_mode}`; }
}

export class CenterCrop extends Builtin {
  constructor(...args) {
    super();
    const [size] = bindArgs('CenterCrop(size)', args);
    this.size = sizePair('CenterCrop', size);
  }
  forward(img) {
    const { planes, back } = toPlanes('CenterCrop', img);
    let p = planes;
    const [th, tw] = this.size;
    if (th > p.H || tw > p.W) { // torchvision pads with zeros first
      const l = tw > p.W ? (tw - p.W) >> 1 : 0, t = th > p.H ? (th - p.H) >> 1 : 0;
      const r = tw > p.W ? (tw - p.W + 1) >> 1 : 0, b = th > p.H ? (th - p.H + 1) >> 1 : 0;
      p = padPlanes('CenterCrop', p, [l, t, r, b], 0, 'constant');
      if (p.H === th && p.W === tw) return back(p);
    }
    const top = roundHalfEven((p.H - th) / 2), left = roundHalfEven((p.W - tw) / 2);
    return back(cropPlanes(p, top, left, th, tw));
  }
  _args() { return `size=${pyRepr(this.size)}`; }
}

/** RandomCrop(size, {padding, pad_if_needed, fill, padding_mode}) */
export class RandomCrop extends Builtin {
  constructor(size, ...args) {
    super();
    const { padding, pad_if_needed, fill, padding_mode } = bind('RandomCrop', args,
      [['padding', null], ['pad_if_needed', false], ['fill', 0], ['padding_mode', 'constant']]);
    this.size = sizePair('RandomCrop', size);
    this.padding = padding === null || padding === undefined ? null : paddingList('RandomCrop', padding);
    this.pad_if_needed = pad_if_needed;
    this.fill = fill;
    this.padding_mode = checkPadMode('RandomCrop', padding_mode);
  }
  /** torchvision's get_params: [i, j, th, tw] drawn from the default generator. */
  static get_params(img, output_size) {
    const { planes } = toPlanes('RandomCrop', img);
    return cropParams(planes.H, planes.W, sizePair('RandomCrop', output_size));
  }
  forward(img) {
    const { planes, back } = toPlanes('RandomCrop', img);
    let p = planes;
    if (this.padding) p = padPlanes('RandomCrop', p, this.padding, this.fill, this.padding_mode);
    const [th, tw] = this.size;
    if (this.pad_if_needed && p.W < tw) p = padPlanes('RandomCrop', p, [tw - p.W, 0, tw - p.W, 0], this.fill, this.padding_mode);
    if (this.pad_if_needed && p.H < th) p = padPlanes('RandomCrop', p, [0, th - p.H, 0, th - p.H], this.fill, this.padding_mode);
    const [i, j, h, w] = cropParams(p.H, p.W, this.size);
    return back(cropPlanes(p, i, j, h, w));
  }
  _args() { return `size=${pyRepr(this.size)}, padding=${pyRepr(this.padding)}`; }
}

function cropParams(h, w, [th, tw]) {
  if (h < th || w < tw) throw new RangeError(`RandomCrop: Required crop size (${th}, ${tw}) is larger than input image size (${h}, ${w})`);
  if (w === tw && h === th) return [0, 0, h, w];
  const i = randintDraw(0, h - th + 1, null);
  const j = randintDraw(0, w - tw + 1, null);
  return [i, j, th, tw];
}

function probability(call, p) {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw typeError(call, 'a probability p in [0, 1]', p);
  return p;
}

export class RandomHorizontalFlip extends Builtin {
  constructor(...args) {
    super();
    const [p = 0.5] = bindArgs('RandomHorizontalFlip(p=0.5)', args);
    this.p = probability('RandomHorizontalFlip', p);
  }
  forward(img) {
    const { planes, back } = toPlanes('RandomHorizontalFlip', img);
    return uniformDraw(0, 1, null) < this.p ? back(flipPlanes(planes, true)) : img;
  }
  _args() { return `p=${pyRepr(this.p)}`; }
}

export class RandomVerticalFlip extends Builtin {
  constructor(...args) {
    super();
    const [p = 0.5] = bindArgs('RandomVerticalFlip(p=0.5)', args);
    this.p = probability('RandomVerticalFlip', p);
  }
  forward(img) {
    const { planes, back } = toPlanes('RandomVerticalFlip', img);
    return uniformDraw(0, 1, null) < this.p ? back(flipPlanes(planes, false)) : img;
  }
  _args() { return `p=${pyRepr(this.p)}`; }
}

function interpolationName(call, mode, allowed) {
  const name = typeof mode === 'string' ? mode.toLowerCase() : mode;
  if (!allowed.includes(name)) throw new TypeError(`${call}: interpolation ${JSON.stringify(mode)} is not supported; use ${allowed.map((m) => `'${m}'`).join(' or ')}`);
  return name;
}

/** RandomRotation(degrees, {interpolation = 'nearest', expand = false, center, fill = 0}) */
export class RandomRotation extends Builtin {
  constructor(degrees, options) {
    super();
    const o = parseOptions('RandomRotation', options, { interpolation: 'nearest', expand: false, center: null, fill: 0 });
    const d = typeof degrees === 'number' ? (degrees < 0 ? null : [-degrees, degrees]) : degrees;
    if (!Array.isArray(d) || d.length !== 2 || !d.every((v) => typeof v === 'number' && Number.isFinite(v)))
      throw typeError('RandomRotation', 'a non-negative number or a pair [min, max] of numbers for degrees', degrees);
    if (o.expand) throw new TypeError('RandomRotation: expand=true is not supported');
    if (o.center !== null && (!Array.isArray(o.center) || o.center.length !== 2 || !o.center.every((v) => typeof v === 'number')))
      throw typeError('RandomRotation', 'a pair [x, y] of numbers for center', o.center);
    this.degrees = d.map(Number);
    this.interpolation = interpolationName('RandomRotation', o.interpolation, ['nearest']);
    this.expand = false;
    this.center = o.center;
    this.fill = o.fill;
  }
  /** torchvision's get_params: the angle drawn from the default generator. */
  static get_params(degrees) { return uniformDraw(degrees[0], degrees[1], null); }
  forward(img) {
    const { planes, back } = toPlanes('RandomRotation', img);
    const angle = uniformDraw(this.degrees[0], this.degrees[1], null);
    return back(rotatePlanes(planes, angle, this.center, this.fill));
  }
  _args() { return `degrees=${pyRepr(this.degrees)}, interpolation=${this.interpolation}, expand=False, fill=${pyRepr(this.fill)}`; }
}

/** torchvision's _compute_resized_output_size. */
function resizedSize(h, w, size, max_size) {
  if (size.length === 2) return size;
  const requested = size[0];
  const [short, long] = w <= h ? [w, h] : [h, w];
  let newShort = requested, newLong = Math.floor((requested * long) / short);
  if (max_size !== null && max_size !== undefined) {
    if (max_size <= requested)
      throw new RangeError(`Resize: max_size = ${max_size} must be strictly greater than the requested size for the smaller edge size = ${requested}`);
    if (newLong > max_size) [newShort, newLong] = [Math.floor((max_size * newShort) / newLong), max_size];
  }
  return w <= h ? [newLong, newShort] : [newShort, newLong];
}

/**
 * Resize(size, {interpolation = 'bilinear', max_size, antialias}): size an int (the smaller
 * edge, aspect kept) or [h, w]. Bilinear with align_corners=False and no antialiasing.
 */
export class Resize extends Builtin {
  constructor(size, options) {
    super();
    const o = parseOptions('Resize', options, { interpolation: 'bilinear', max_size: null, antialias: null });
    const list = typeof size === 'number' ? [size] : size;
    if (!Array.isArray(list) || (list.length !== 1 && list.length !== 2) || !list.every((v) => Number.isInteger(v) && v > 0))
      throw typeError('Resize', 'a positive int or a sequence [h, w] of positive ints for size', size);
    if (o.max_size !== null && list.length !== 1)
      throw new RangeError(`Resize: max_size should only be passed if size specifies the length of the smaller edge, i.e. size should be an int or a sequence of length 1 (got ${JSON.stringify(size)})`);
    if (o.antialias) throw new TypeError('Resize: antialias=true is not supported (kindling resizes without antialiasing)');
    this.size = list;
    this.max_size = o.max_size;
    this.interpolation = interpolationName('Resize', o.interpolation, ['bilinear', 'nearest']);
  }
  forward(img) {
    const { planes, back } = toPlanes('Resize', img);
    const [oh, ow] = resizedSize(planes.H, planes.W, this.size, this.max_size);
    if (oh === planes.H && ow === planes.W) return img;
    if (img instanceof Tensor && img.dtype !== 'float32' && this.interpolation === 'bilinear')
      throw new TypeError(`Resize: bilinear interpolation needs a float tensor, got ${img.dtype}`);
    return back(resizePlanes(planes, oh, ow, this.interpolation));
  }
  _args() { return `size=${pyRepr(this.size.length === 1 ? this.size[0] : this.size)}, interpolation=${this.interpolation}, max_size=${pyRepr(this.max_size)}, antialias=None`; }
}

// The methods' signatures (args.js): an options object given to forward() is checked. A
// kindling image is itself a plain object, hence `img: any`.
signatures(Transform, ['toString()']);
signatures(Compose, ['Compose.forward(img: any)', 'toString()']);
for (const cls of [ToTensor, Pad, CenterCrop, RandomCrop, RandomHorizontalFlip, RandomVerticalFlip, RandomRotation, Resize])
  signatures(cls, [`${cls.name}.forward(img: any)`]);
signatures(Normalize, ['Normalize.forward(tensor: any)']); // an image given here gets Normalize's own advice
