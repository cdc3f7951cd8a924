// transforms/index.d.ts: types for `import * as transforms from 'kindling/transforms'`.
// Transforms are callable (`t(img)`) and typed by what they take and give: ToTensor
// turns an Image into a Tensor, Normalize maps Tensor -> Tensor, the geometric transforms
// return the kind they were given (Image -> Image, Tensor -> Tensor), and Compose goes
// from its first transform's input to its last one's output.
import { Tensor } from '../index.js';

/**
 * kindling's image (torchvision's PIL image): HWC bytes, rows top to bottom. A browser
 * ImageData is one too (channels then defaults to data.length / (width * height)).
 */
export interface Image {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels?: number;
}
/** A numpy-like array for ToTensor: shape [H, W] or [H, W, C], data row-major HWC. */
export interface ArrayImage {
  data: Uint8Array | Uint8ClampedArray | Int8Array | Int16Array | Int32Array | Uint16Array | Uint32Array | Float32Array | Float64Array;
  shape: [number, number] | [number, number, number];
}
export type ImageOrTensor = Image | Tensor;

/** A transform or a plain function, wherever one is accepted (Compose, dataset transform options). */
export type TransformLike<I = any, O = any> = ((x: I) => O) | { forward(x: I): O };
export type TransformInput<T> = T extends { forward(x: infer I): any } ? I : T extends (x: infer I) => any ? I : never;
export type TransformOutput<T> = T extends { forward(x: any): infer O } ? O : T extends (x: any) => infer O ? O : never;
type Last<T extends readonly unknown[]> = T extends readonly [...unknown[], infer L] ? L : T[number];

export declare function isImage(x: unknown): x is Image;

/** torchvision's InterpolationMode values (strings here). */
export declare const InterpolationMode: { readonly NEAREST: 'nearest'; readonly BILINEAR: 'bilinear' };
export type InterpolationMode = 'nearest' | 'bilinear';

/** The base class: subclass it and define forward(x); instances are callable. */
export declare class Transform<I = any, O = any> {
  constructor();
  forward(x: I): O;
  __call__(x: I): O;
  toString(): string;
}
export interface Transform<I = any, O = any> { (x: I): O; }

/**
 * Transforms that return the kind of value they were given (an Image or a Tensor [..., H, W]).
 * A type only: local to this file (see `export {}` at the end), not a runtime export.
 */
declare class GeometricTransform extends Transform<ImageOrTensor, ImageOrTensor> {
  forward<X extends ImageOrTensor>(img: X): X;
  __call__<X extends ImageOrTensor>(img: X): X;
}
interface GeometricTransform { <X extends ImageOrTensor>(img: X): X; }

/** Compose([t1, t2, ...]): applies the transforms in order. */
export declare class Compose<T extends readonly TransformLike[] = TransformLike[]>
  extends Transform<TransformInput<T[0]>, TransformOutput<Last<T>>> {
  constructor(transforms: [...T]);
  transforms: T;
}

export declare class Lambda<I = any, O = any> extends Transform<I, O> {
  constructor(lambd: (x: I) => O);
  lambd: (x: I) => O;
}

/** An image (uint8 HWC) -> a float32 Tensor [C, H, W] in [0, 1]. */
export declare class ToTensor extends Transform<Image | ArrayImage, Tensor> {}

/** (x - mean[c]) / std[c] per channel of a float Tensor [..., C, H, W]. */
export declare class Normalize extends Transform<Tensor, Tensor> {
  constructor(mean: number | ArrayLike<number>, std: number | ArrayLike<number>, inplace?: boolean);
  constructor(mean: number | ArrayLike<number>, std: number | ArrayLike<number>, options: { inplace?: boolean });
  mean: number[];
  std: number[];
  inplace: boolean;
}

type Size = number | [number] | [number, number];
type Padding = number | [number] | [number, number] | [number, number, number, number];
type Fill = number | number[];
export type PaddingMode = 'constant' | 'edge' | 'reflect' | 'symmetric';

export declare class Pad extends GeometricTransform {
  constructor(padding: Padding, fill?: Fill, padding_mode?: PaddingMode);
  constructor(padding: Padding, options: { fill?: Fill; padding_mode?: PaddingMode });
  padding: [number, number, number, number];
  fill: Fill;
  padding_mode: PaddingMode;
}

export declare class CenterCrop extends GeometricTransform {
  constructor(size: Size);
  size: [number, number];
}

export interface RandomCropOptions { padding?: Padding | null; pad_if_needed?: boolean; fill?: Fill; padding_mode?: PaddingMode }
export declare class RandomCrop extends GeometricTransform {
  constructor(size: Size, options?: RandomCropOptions);
  constructor(size: Size, padding?: Padding | null, pad_if_needed?: boolean, fill?: Fill, padding_mode?: PaddingMode, options?: RandomCropOptions);
  /** torchvision's get_params: [top, left, height, width], drawn from the default generator. */
  static get_params(img: ImageOrTensor, output_size: Size): [number, number, number, number];
  size: [number, number];
  padding: [number, number, number, number] | null;
  pad_if_needed: boolean;
  fill: Fill;
  padding_mode: PaddingMode;
}

export declare class RandomHorizontalFlip extends GeometricTransform {
  constructor(p?: number);
  constructor(options: { p?: number });
  p: number;
}
export declare class RandomVerticalFlip extends GeometricTransform {
  constructor(p?: number);
  constructor(options: { p?: number });
  p: number;
}

export declare class RandomRotation extends GeometricTransform {
  constructor(degrees: number | [number, number], options?: {
    interpolation?: 'nearest' | 'NEAREST'; expand?: false; center?: [number, number] | null; fill?: Fill });
  /** torchvision's get_params: an angle in degrees, drawn from the default generator. */
  static get_params(degrees: [number, number]): number;
  degrees: [number, number];
  interpolation: 'nearest';
  expand: false;
  center: [number, number] | null;
  fill: Fill;
}

/** Resize(size): an int resizes the smaller edge (aspect kept), [h, w] resizes to that. */
export declare class Resize extends GeometricTransform {
  constructor(size: Size, options?: {
    interpolation?: InterpolationMode | Uppercase<InterpolationMode>; max_size?: number | null; antialias?: false | null });
  size: [number] | [number, number];
  max_size: number | null;
  interpolation: InterpolationMode;
}

// Only what is marked `export` above is exported (GeometricTransform and the helper types stay local).
export {};
