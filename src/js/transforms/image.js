// transforms/image.js: kindling's "image" — what torchvision calls a PIL image — and the
// planar buffers the transforms compute on.
//
// An image is a plain object {data, width, height, channels}: data is a Uint8Array (or
// Uint8ClampedArray) of height * width * channels bytes, rows top to bottom, channels
// interleaved (HWC), like the browser's ImageData — which is itself accepted (channels
// then defaults to data.length / (width * height), 4 for RGBA). Datasets return images
// when they have no transform; transforms.ToTensor() turns one into a float [C, H, W]
// tensor in [0, 1].
// Not here: decoding files (datasets/images.js), the transforms (index.js).
import { Tensor } from '../tensor.js';
import { describe } from '../errors.js';
import { scopedTensor } from './buffers.js';

export function isImage(x) {
  return x !== null && typeof x === 'object' && !(x instanceof Tensor) &&
    (x.data instanceof Uint8Array || x.data instanceof Uint8ClampedArray) &&
    Number.isInteger(x.width) && Number.isInteger(x.height) && x.width >= 0 && x.height >= 0;
}

/** The image's channel count, checked against its data length. */
export function imageChannels(call, img) {
  const pixels = img.width * img.height;
  const channels = img.channels ?? (pixels ? img.data.length / pixels : 1);
  if (!Number.isInteger(channels) || channels < 1 || img.data.length !== pixels * channels)
    throw new RangeError(`${call}: an image of ${img.width}x${img.height}${img.channels ? `x${img.channels}` : ''} ` +
      `needs ${pixels * (img.channels ?? 1)}${img.channels ? '' : ' * channels'} bytes, its data has ${img.data.length}`);
  return channels;
}

/**
 * C planes of H x W values, row-major (CHW): data is a Float32Array (float tensors), an
 * Int32Array (int64 / bool tensors) or a Uint8Array (images).
 */
export class Planes {
  constructor(data, C, H, W) {
    this.data = data;
    this.C = C;
    this.H = H;
    this.W = W;
  }
  /** New planes of the same element type (bytes become Uint8ClampedArray: stores round and clamp). */
  like(C, H, W) {
    const Ctor = this.data instanceof Uint8Array ? Uint8ClampedArray : this.data.constructor;
    return new Planes(new Ctor(C * H * W), C, H, W);
  }
}

/**
 * Reads a Tensor [..., H, W] or an image into planes; back(planes) makes the same kind of
 * value (a step-scoped tensor with the same leading dims, or an image) from new planes.
 */
export function toPlanes(call, x) {
  if (x instanceof Tensor) {
    const shape = x.shape;
    if (shape.length < 2)
      throw new RangeError(`${call}: expected a tensor image of shape [..., H, W], got a Tensor of shape [${shape.join(', ')}]`);
    const H = shape[shape.length - 2], W = shape[shape.length - 1];
    const lead = shape.slice(0, -2);
    const C = lead.reduce((a, b) => a * b, 1);
    const code = x._dtype;
    return {
      planes: new Planes(x.toTypedArray(), C, H, W),
      kind: 'tensor',
      channels: lead.length ? lead[lead.length - 1] : 1,
      back: (p) => scopedTensor(p.data, [...lead, p.H, p.W], code),
    };
  }
  if (isImage(x)) {
    const C = imageChannels(call, x);
    const { width: W, height: H } = x;
    let data = x.data;
    if (C > 1) {
      data = new Uint8Array(C * H * W);
      const hw = H * W;
      for (let i = 0; i < hw; i++) for (let c = 0; c < C; c++) data[c * hw + i] = x.data[i * C + c];
    }
    return {
      planes: new Planes(data, C, H, W),
      kind: 'image',
      channels: C,
      back: (p) => {
        const hw = p.H * p.W;
        let out = p.data;
        if (p.C > 1) {
          out = new Uint8Array(p.C * hw);
          for (let c = 0; c < p.C; c++) for (let i = 0; i < hw; i++) out[i * p.C + c] = p.data[c * hw + i];
        }
        return { data: out, width: p.W, height: p.H, channels: p.C };
      },
    };
  }
  throw new TypeError(`${call}: expected a Tensor [..., H, W] or an image {data, width, height, channels}, got ${describe(x)}`);
}
