// datasets/index.d.ts: types for `import * as datasets from 'kindling/datasets'`. A
// dataset's sample type follows its transforms: new MNIST({transform: new ToTensor()}) is a
// Dataset<[Tensor, number]>, without a transform a Dataset<[Image, number]>.
// Browser-only inputs (File, Blob, canvas, ImageBitmap) are typed structurally, so these
// types need neither the DOM lib nor @types/node.
import { Tensor } from '../index.js';
import { Dataset } from '../utils/data.js';
import { Image, TransformLike } from '../transforms/index.js';

export { isImage } from '../transforms/index.js';
export type { Image } from '../transforms/index.js';

/** Bytes: a Uint8Array (or Node Buffer), another typed array or DataView, or an ArrayBuffer. */
export type Bytes = ArrayBuffer | ArrayBufferView;
/** A URL object (anything whose String() is the address) or a string: a URL, or a file path in Node. */
export type Location = string | { readonly href: string; toString(): string };
/** A Blob or File (anything with arrayBuffer()). */
export interface BlobLike { arrayBuffer(): Promise<ArrayBuffer>; readonly size: number; readonly type: string }
/** Anything canvas.drawImage takes and that has a size: canvas, OffscreenCanvas, ImageBitmap, <img>, <video>. */
export type CanvasSource = { readonly width: number; readonly height: number } | { readonly naturalWidth: number; readonly naturalHeight: number };
/** An ImageData (RGBA bytes) or anything shaped like one. */
export interface ImageDataLike { readonly data: Uint8ClampedArray | Uint8Array; readonly width: number; readonly height: number }
export type Channels = 1 | 3 | 4;
type SizeOption = number | [number, number] | null;

// --- IDX ------------------------------------------------------------------------------------

export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export interface IdxArray {
  dtype: IdxDType;
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}
/** Parses uncompressed IDX bytes; throws an Error naming the defect. */
export declare function parseIdx(bytes: Bytes, call?: string): IdxArray;
/** IDX bytes, gzipped or not. */
export declare function readIdx(bytes: Bytes): Promise<IdxArray>;
/** Uncompressed IDX bytes; dtype defaults from the typed array. */
export declare function writeIdx(array: { dtype?: IdxDType; shape: number[]; data: IdxArray['data'] }): Uint8Array;

// --- MNIST ----------------------------------------------------------------------------------

export interface MNISTOptions<X = Image, Y = number> {
  root?: Location;
  /** The 60000 training samples (true, the default) or the 10000 test samples. */
  train?: boolean;
  transform?: TransformLike<Image, X> | null;
  target_transform?: TransformLike<number, Y> | null;
  /** Accepted so torchvision code transcribes; nothing is downloaded. */
  download?: boolean;
  /** The two IDX files' bytes (gzipped or not), instead of a root or URL. */
  images?: Bytes;
  labels?: Bytes;
  /** A base URL holding the files (<url>/<name>.gz or <url>/<name>). */
  url?: Location;
}

/** getitem(i) -> [image, label]: an Image {data, width: 28, height: 28, channels: 1} until a transform makes it something else. */
export declare class MNIST<X = Image, Y = number> extends Dataset<[X, Y]> {
  static classes: string[];
  static folder: string;
  static bundled: string;
  /** new MNIST(root?, options); then `await ds.ready`. */
  constructor(options?: MNISTOptions<X, Y>);
  constructor(root: Location | undefined, options?: MNISTOptions<X, Y>);
  /** await MNIST.load(root?, options): a loaded dataset. */
  static load<X = Image, Y = number>(options?: MNISTOptions<X, Y>): Promise<MNIST<X, Y>>;
  static load<X = Image, Y = number>(root: Location | undefined, options?: MNISTOptions<X, Y>): Promise<MNIST<X, Y>>;
  /** Resolves to the dataset once its files are read; rejects with the load error. */
  readonly ready: Promise<this>;
  root: Location | null;
  train: boolean;
  transform: TransformLike<Image, X> | null;
  target_transform: TransformLike<number, Y> | null;
  classes: string[];
  class_to_idx: Record<string, number>;
  /** The raw bytes: N * H * W pixels (0-255). */
  readonly images: Uint8Array;
  /** The raw labels (N bytes). */
  readonly labels: Uint8Array;
  /** torchvision's .targets: a kept int64 Tensor [N]. */
  readonly targets: Tensor;
  /** torchvision's .data: a kept float32 Tensor [N, H, W] of the raw 0-255 values. */
  readonly data: Tensor;
}
export declare class FashionMNIST<X = Image, Y = number> extends MNIST<X, Y> {}

// --- CSV ------------------------------------------------------------------------------------

export interface ReadCsvOptions {
  /** An index (negative counts from the end), a header name, or null for no labels. */
  label_column?: number | string | null;
  header?: boolean | 'auto';
  delimiter?: string;
}
export interface CsvTable {
  header: string[] | null;
  /** Int32Array when every label is an integer, else Float32Array; null without a label column. */
  labels: Int32Array | Float32Array | null;
  /** rows * columns features, row-major. */
  data: Float32Array;
  rows: number;
  columns: number;
}
export declare function readCsv(input: string | Bytes, options?: ReadCsvOptions): CsvTable;

export interface CSVDatasetOptions extends ReadCsvOptions {
  /** [H, W] or [H, W, C]: rows become Images (pixels must be integers 0-255). */
  image_shape?: [number, number] | [number, number, number] | null;
  transform?: TransformLike | null;
  target_transform?: TransformLike | null;
}
/**
 * Rows of a numeric CSV: getitem(i) -> [features, label], features a float32 Tensor
 * [columns] (an Image with image_shape; whatever transform makes). With label_column null
 * a sample is the features alone: type it as CSVDataset<Tensor>.
 */
export declare class CSVDataset<S = [Tensor, number]> extends Dataset<S> {
  constructor(input: string | Bytes, options?: CSVDatasetOptions);
  /** Reads (and gunzips) a file path, URL or bytes first. */
  static load<S = [Tensor, number]>(source: Location | Bytes, options?: CSVDatasetOptions): Promise<CSVDataset<S>>;
  header: string[] | null;
  features: Float32Array;
  labels: Int32Array | Float32Array | null;
  columns: number;
  image_shape: [number, number] | [number, number, number] | null;
  transform: TransformLike | null;
  target_transform: TransformLike | null;
}

// --- images ---------------------------------------------------------------------------------

/** torchvision's IMG_EXTENSIONS. */
export declare const IMG_EXTENSIONS: string[];
/** An RGBA ImageData -> an Image of 1 (PIL's 'L'), 3 (RGB) or 4 (RGBA) channels. */
export declare function imageFromImageData(imageData: ImageDataLike, options?: { channels?: Channels }): Image;
/** Draws a canvas, ImageBitmap, <img> or <video> (scaled to size [h, w] if given) into an Image. Browsers and workers only. */
export declare function imageFromCanvas(source: CanvasSource, options?: { channels?: Channels; size?: SizeOption }): Image;
/** Decodes a Blob / File, or reads an ImageData / canvas / ImageBitmap, into an Image. Browsers and workers only. */
export declare function loadImage(source: BlobLike | ImageDataLike | CanvasSource, options?: { channels?: Channels; size?: SizeOption }): Promise<Image>;

/** A file from a folder picker (webkitRelativePath) or {file, path} / {blob, path} with path relative to the root. */
export type FolderItem = (BlobLike & { readonly name?: string; readonly webkitRelativePath?: string }) |
  { file: BlobLike; path: string } | { blob: BlobLike; path: string };
export declare function relativePath(item: FolderItem): string;
/** "cat/sub/1.png" -> "cat"; null for a file in the root. */
export declare function classFromPath(path: string): string | null;
/** torchvision's find_classes, from root-relative paths: [classes, class_to_idx]. */
export declare function find_classes(paths: Iterable<string>): [string[], Record<string, number>];

export interface ImageFolderOptions<X = Image, Y = number> {
  transform?: TransformLike<Image, X> | null;
  target_transform?: TransformLike<number, Y> | null;
  /** Replaces the default decoder (loadImage with channels and size). */
  loader?: ((blob: BlobLike) => Promise<Image>) | null;
  is_valid_file?: ((path: string) => boolean) | null;
  extensions?: string[];
  channels?: Channels;
  size?: SizeOption;
}
/** torchvision's ImageFolder over chosen files; getitem is async: iterate its DataLoader with `for await`. */
export declare class ImageFolder<X = Image, Y = number> extends Dataset<Promise<[X, Y]>> {
  constructor(files: Iterable<FolderItem> | ArrayLike<FolderItem>, options?: ImageFolderOptions<X, Y>);
  classes: string[];
  class_to_idx: Record<string, number>;
  /** [root-relative path, class index] per sample. */
  samples: [string, number][];
  imgs: [string, number][];
  targets: number[];
  transform: TransformLike<Image, X> | null;
  target_transform: TransformLike<number, Y> | null;
  loader: (blob: BlobLike) => Promise<Image>;
}
