// index.d.ts: types for `import * as torch from 'kindling'`. Names and argument order are
// PyTorch's; keyword arguments go in a trailing options object with PyTorch's names.

export type DType = 'float32' | 'int64' | 'bool';
export type DTypeLike = DType | 'float' | 'long' | 'int' | 'int32';
export type Shape = number[];
export type NestedArray = number | boolean | NestedArray[];
export type Scalar = number | boolean;
export type TensorLike = Tensor | number;

/** Without a dtype, all-integer data makes int64 — except with requires_grad: true, which makes float32. */
export interface FactoryOptions { dtype?: DTypeLike; requires_grad?: boolean; device?: 'cpu'; }
export type DeviceLike = 'cpu' | `cpu:${number}` | device;
export interface ToOptions { dtype?: DTypeLike; device?: DeviceLike; non_blocking?: boolean; copy?: boolean; memory_format?: 'preserve_format' | 'contiguous_format'; }
export interface BackwardOptions { retain_graph?: boolean | null; create_graph?: false; inputs?: null; }

/** torch.device('cpu'), with or without new; prints as 'cpu'. Any other device throws. */
export declare class device {
  constructor(type: 'cpu' | `cpu:${number}`, index?: number | null);
  readonly type: 'cpu';
  readonly index: number | null;
  toString(): string;
}
export declare function device(type: 'cpu' | `cpu:${number}`, index?: number | null): device;
export declare const cuda: { is_available(): false; device_count(): 0 };
export declare const backends: { mps: { is_available(): false; is_built(): false } };

export interface PrintOptions { precision?: number; threshold?: number; edgeitems?: number; linewidth?: number; profile?: 'default' | 'short' | 'full'; sci_mode?: boolean | null; }
/** PyTorch's print options for tensor reprs (summarised past threshold elements). */
export declare function set_printoptions(options: PrintOptions): void;
export declare function set_printoptions(precision?: number | null, threshold?: number | null, edgeitems?: number | null, linewidth?: number | null, profile?: PrintOptions['profile'] | null, sci_mode?: boolean | null): void;
export declare function get_printoptions(): Required<Omit<PrintOptions, 'profile'>>;

/** PyTorch's (values, indices) named tuple: destructure as [values, indices] or read the fields. */
export type ValuesIndices = [Tensor, Tensor] & { values: Tensor; indices: Tensor };
export interface VarianceOptions { dim?: number | number[] | null; unbiased?: boolean; correction?: number; keepdim?: boolean }

/** An autograd node: name() is PyTorch's ('AddmmBackward0', 'torch::autograd::AccumulateGrad'). */
export declare class GradFn {
  name(): string;
  readonly next_functions: Array<[GradFn | null, number]>;
  toString(): string;
}

/**
 * One subscript of Tensor.index / setitem (Python's t[...]): an integer; a string in
 * Python's syntax (':', '1:3', '::2', '-1', '...', 'None', or several joined by commas,
 * '1:3, ::2'); null for None; an int64 index Tensor or an array of integers (advanced
 * indexing); a bool Tensor or an array of booleans (a mask).
 */
export type Index = number | string | null | Tensor | NestedArray;

export declare class Tensor {
  readonly shape: Shape;
  readonly ndim: number;
  readonly dtype: DType;
  readonly is_leaf: boolean;
  /** The autograd node that made this tensor (PyTorch's names), null for a leaf. */
  readonly grad_fn: GradFn | null;
  readonly is_disposed: boolean;
  requires_grad: boolean;
  grad: Tensor | null;
  readonly T: Tensor;
  size(): Shape;
  size(dim: number): number;
  dim(): number;
  numel(): number;
  requires_grad_(requires_grad?: boolean): this;
  /** The gradient is cast to this tensor's dtype (as PyTorch). create_graph / inputs are refused (unsupported). */
  backward(gradient?: Tensor | null, options?: BackwardOptions): void;
  backward(gradient: Tensor | null, retain_graph: boolean | null, create_graph?: false): void;
  backward(options: BackwardOptions & { gradient?: Tensor | null }): void;
  detach(): Tensor;
  /** Shares storage like detach(), with its own version counter (PyTorch's Tensor.data). */
  readonly data: Tensor;
  /** The storage's version counter, bumped by every in-place write. */
  readonly _version: number;
  is_contiguous(): boolean;
  contiguous(): Tensor;
  stride(): number[];
  stride(dim: number): number;
  storage_offset(): number;
  clone(): Tensor;
  /** Makes a step-scoped tensor kept (see the README's memory rule). */
  keep(): this;
  /** Frees the wasm memory now; the tensor throws if used afterwards. */
  dispose(): void;
  toTypedArray(): Float32Array | Int32Array;
  dataSync(): Float32Array | Int32Array;
  item(): number | boolean;
  tolist(): NestedArray;
  toString(): string;

  add(other: TensorLike, options?: { alpha?: number }): Tensor;
  sub(other: TensorLike, options?: { alpha?: number }): Tensor;
  mul(other: TensorLike): Tensor;
  div(other: TensorLike): Tensor;
  rsub(other: number): Tensor;
  rdiv(other: number): Tensor;
  eq(other: TensorLike): Tensor;
  ne(other: TensorLike): Tensor;
  gt(other: TensorLike): Tensor;
  lt(other: TensorLike): Tensor;
  ge(other: TensorLike): Tensor;
  le(other: TensorLike): Tensor;
  neg(): Tensor;
  exp(): Tensor;
  log(): Tensor;
  sqrt(): Tensor;
  abs(): Tensor;
  relu(): Tensor;
  sigmoid(): Tensor;
  tanh(): Tensor;
  leaky_relu(negative_slope?: number): Tensor;
  pow(exponent: number | Tensor): Tensor;
  square(): Tensor;
  // math-ops: torch's pointwise functions
  sin(): Tensor; cos(): Tensor; tan(): Tensor; asin(): Tensor; acos(): Tensor; atan(): Tensor;
  sinh(): Tensor; cosh(): Tensor; asinh(): Tensor; acosh(): Tensor; atanh(): Tensor;
  arcsin(): Tensor; arccos(): Tensor; arctan(): Tensor; arcsinh(): Tensor; arccosh(): Tensor; arctanh(): Tensor;
  log1p(): Tensor; expm1(): Tensor; log2(): Tensor; log10(): Tensor; exp2(): Tensor; rsqrt(): Tensor;
  sign(): Tensor; sgn(): Tensor; floor(): Tensor; ceil(): Tensor; trunc(): Tensor; fix(): Tensor; frac(): Tensor;
  round(decimals?: number | { decimals?: number }): Tensor;
  reciprocal(): Tensor; erf(): Tensor; absolute(): Tensor; negative(): Tensor;
  maximum(other: Tensor): Tensor;
  minimum(other: Tensor): Tensor;
  clamp(min?: number | Tensor | null, max?: number | Tensor | null): Tensor;
  clamp(options: { min?: number | Tensor | null; max?: number | Tensor | null }): Tensor;
  clip(min?: number | Tensor | null, max?: number | Tensor | null): Tensor;
  clamp_min(min: number | Tensor): Tensor;
  clamp_max(max: number | Tensor): Tensor;
  where(condition: Tensor, other: Tensor | number): Tensor;
  greater(other: TensorLike): Tensor; less(other: TensorLike): Tensor; greater_equal(other: TensorLike): Tensor;
  less_equal(other: TensorLike): Tensor; not_equal(other: TensorLike): Tensor;
  min(): Tensor;
  min(other: Tensor): Tensor;
  min(dim: number, keepdim?: boolean): ValuesIndices;
  argmin(dim?: number | null, keepdim?: boolean): Tensor;
  norm(p?: number | 'fro', dim?: number | number[] | null, keepdim?: boolean): Tensor;
  norm(options: { p?: number | 'fro'; dim?: number | number[] | null; keepdim?: boolean }): Tensor;
  var(dim?: number | number[] | null, unbiased?: boolean, keepdim?: boolean): Tensor;
  var(dim: number | number[] | null, options: VarianceOptions): Tensor;
  var(options?: VarianceOptions): Tensor;
  std(dim?: number | number[] | null, unbiased?: boolean, keepdim?: boolean): Tensor;
  std(dim: number | number[] | null, options: VarianceOptions): Tensor;
  std(options?: VarianceOptions): Tensor;
  prod(dim?: number | null, keepdim?: boolean): Tensor;
  sort(dim?: number, descending?: boolean): ValuesIndices;
  sort(options: { dim?: number; descending?: boolean; stable?: boolean }): ValuesIndices;
  argsort(dim?: number, descending?: boolean): Tensor;
  topk(k: number, dim?: number, largest?: boolean, sorted?: boolean): ValuesIndices;
  matmul(other: Tensor): Tensor;
  mm(other: Tensor): Tensor;
  sum(dim?: number | number[] | null, keepdim?: boolean): Tensor;
  sum(options: { dim?: number | number[]; keepdim?: boolean }): Tensor;
  mean(dim?: number | number[] | null, keepdim?: boolean): Tensor;
  mean(options: { dim?: number | number[]; keepdim?: boolean }): Tensor;
  max(): Tensor;
  max(other: Tensor): Tensor;
  max(dim: number, keepdim?: boolean): ValuesIndices;
  argmax(dim?: number | null, keepdim?: boolean): Tensor;
  softmax(dim: number): Tensor;
  log_softmax(dim: number): Tensor;
  reshape(...shape: number[]): Tensor;
  reshape(shape: Shape): Tensor;
  view(...shape: number[]): Tensor;
  view(shape: Shape): Tensor;
  view_as(other: Tensor): Tensor;
  reshape_as(other: Tensor): Tensor;
  flatten(start_dim?: number, end_dim?: number): Tensor;
  squeeze(dim?: number): Tensor;
  unsqueeze(dim: number): Tensor;
  permute(...dims: number[]): Tensor;
  permute(dims: number[]): Tensor;
  transpose(dim0: number, dim1: number): Tensor;
  t(): Tensor;
  expand(...shape: number[]): Tensor;
  expand(shape: Shape): Tensor;
  expand_as(other: Tensor): Tensor;
  index_select(dim: number, index: Tensor): Tensor;
  narrow(dim: number, start: number, length: number): Tensor;
  /** Rows start..end-1 along dim 0, like Python's t[start:end] (a view). */
  slice(start?: number, end?: number): Tensor;
  /** Python's t[...]: t.index(0), t.index(':', 1), t.index('1:3, ::2'), t.index('...', -1), t.index(null). */
  index(...indices: Index[]): Tensor;
  /** Python's t[...] = value, in place: t.setitem(':', 1, 0) is t[:, 1] = 0. */
  setitem(...indicesThenValue: [...Index[], Scalar | Tensor | NestedArray]): this;
  select(dim: number, index: number): Tensor;
  index_put_(indices: Tensor[], values: Tensor, accumulate?: boolean | { accumulate?: boolean }): this;
  index_put(indices: Tensor[], values: Tensor, accumulate?: boolean | { accumulate?: boolean }): Tensor;
  masked_fill_(mask: Tensor, value: Scalar | Tensor): this;
  masked_fill(mask: Tensor, value: Scalar | Tensor): Tensor;
  gather(dim: number, index: Tensor): Tensor;
  scatter_(dim: number, index: Tensor, src: Tensor | number, options?: { reduce?: 'add' }): this;
  scatter(dim: number, index: Tensor, src: Tensor | number, options?: { reduce?: 'add' }): Tensor;
  scatter_add_(dim: number, index: Tensor, src: Tensor): this;
  scatter_add(dim: number, index: Tensor, src: Tensor): Tensor;
  nonzero(): Tensor;
  nonzero(options: { as_tuple: true }): Tensor[];
  /** A cast, or this tensor itself when nothing changes; devices other than 'cpu' throw. */
  to(target: DTypeLike | DeviceLike | Tensor, options?: ToOptions): Tensor;
  to(device: DeviceLike, dtype: DTypeLike, options?: ToOptions): Tensor;
  to(options: ToOptions): Tensor;
  /** 'torch.FloatTensor' | 'torch.LongTensor' | 'torch.BoolTensor' */
  type(): string;
  /** Casts like to(dtype); also takes 'torch.FloatTensor' and the like. */
  type(dtype: DTypeLike | string): Tensor;
  readonly device: device;
  readonly is_cuda: false;
  /** Throws: kindling has no CUDA device. */
  cuda(): never;
  float(): Tensor;
  long(): Tensor;
  int(): Tensor;
  bool(): Tensor;
  cpu(): this;
  add_(other: Tensor | Scalar, options?: { alpha?: number }): this;
  sub_(other: Tensor | Scalar, options?: { alpha?: number }): this;
  mul_(other: Tensor | Scalar): this;
  div_(other: Tensor | Scalar, options?: { rounding_mode?: null }): this;
  fill_(value: Scalar | Tensor): this;
  zero_(): this;
  copy_(src: Tensor, options?: { non_blocking?: boolean }): this;
  clamp_(min?: number | null, max?: number | null): this;
  clamp_(options: { min?: number | null; max?: number | null }): this;
  clip_(min?: number | null, max?: number | null): this;
  uniform_(from?: number, to?: number): this;
  normal_(mean?: number, std?: number): this;
}

type ShapeArgs = number[] | [Shape] | [...number[], FactoryOptions] | [Shape, FactoryOptions];

export declare function tensor(data: NestedArray | ArrayLike<number> | Tensor, options?: FactoryOptions & { shape?: Shape }): Tensor;
export declare function zeros(...args: ShapeArgs): Tensor;
export declare function ones(...args: ShapeArgs): Tensor;
export declare function empty(...args: ShapeArgs): Tensor;
export declare function rand(...args: ShapeArgs): Tensor;
export declare function randn(...args: ShapeArgs): Tensor;
export declare function full(size: Shape, fill_value: Scalar, options?: FactoryOptions): Tensor;
export declare function zeros_like(input: Tensor, options?: FactoryOptions): Tensor;
export declare function ones_like(input: Tensor, options?: FactoryOptions): Tensor;
export declare function empty_like(input: Tensor, options?: FactoryOptions): Tensor;
export declare function full_like(input: Tensor, fill_value: Scalar, options?: FactoryOptions): Tensor;
export declare function rand_like(input: Tensor, options?: FactoryOptions): Tensor;
export declare function randn_like(input: Tensor, options?: FactoryOptions): Tensor;
export declare function randint(high: number, size: Shape, options?: { dtype?: DTypeLike }): Tensor;
export declare function randint(low: number, high: number, size: Shape, options?: { dtype?: DTypeLike }): Tensor;
export declare function randperm(n: number, options?: { dtype?: DTypeLike }): Tensor;
export declare function arange(end: number, options?: FactoryOptions): Tensor;
export declare function arange(start: number, end: number, step?: number, options?: FactoryOptions): Tensor;
export declare function manual_seed(seed: number): { initial_seed(): number };
export declare function initial_seed(): number;
export declare function get_rng_state(): Uint8Array;
export declare function set_rng_state(state: Uint8Array): void;

export declare class Generator {
  constructor(device?: 'cpu' | { device: 'cpu' });
  readonly device: 'cpu';
  manual_seed(seed: number | bigint): this;
  initial_seed(): number | bigint;
  seed(): number | bigint;
  get_state(): Uint8Array;
  set_state(state: Uint8Array): this;
}

export declare function add(input: Tensor, other: TensorLike, options?: { alpha?: number }): Tensor;
export declare function sub(input: Tensor, other: TensorLike, options?: { alpha?: number }): Tensor;
export declare function mul(input: Tensor, other: TensorLike): Tensor;
export declare function div(input: Tensor, other: TensorLike): Tensor;
export declare function neg(input: Tensor): Tensor;
export declare function exp(input: Tensor): Tensor;
export declare function log(input: Tensor): Tensor;
export declare function sqrt(input: Tensor): Tensor;
export declare function abs(input: Tensor): Tensor;
export declare function pow(input: Tensor, exponent: number | Tensor): Tensor;
export declare function pow(input: number, exponent: Tensor): Tensor;
// math-ops: the pointwise functions, clamp / where / maximum / minimum, reductions, ranges
type Unary = (input: Tensor) => Tensor;
export declare const sin: Unary, cos: Unary, tan: Unary, asin: Unary, acos: Unary, atan: Unary, sinh: Unary,
  cosh: Unary, asinh: Unary, acosh: Unary, atanh: Unary, arcsin: Unary, arccos: Unary, arctan: Unary,
  arcsinh: Unary, arccosh: Unary, arctanh: Unary, log1p: Unary, expm1: Unary, log2: Unary, log10: Unary,
  exp2: Unary, rsqrt: Unary, sign: Unary, sgn: Unary, floor: Unary, ceil: Unary, trunc: Unary, fix: Unary,
  frac: Unary, reciprocal: Unary, erf: Unary, square: Unary, absolute: Unary, negative: Unary;
export declare function round(input: Tensor, decimals?: number | { decimals?: number }): Tensor;
export declare function clamp(input: Tensor, min?: number | Tensor | null, max?: number | Tensor | null): Tensor;
export declare function clamp(input: Tensor, options: { min?: number | Tensor | null; max?: number | Tensor | null }): Tensor;
export declare function clip(input: Tensor, min?: number | Tensor | null, max?: number | Tensor | null): Tensor;
export declare function clamp_min(input: Tensor, min: number | Tensor): Tensor;
export declare function clamp_max(input: Tensor, max: number | Tensor): Tensor;
export declare function where(condition: Tensor, input: TensorLike, other: TensorLike): Tensor;
export declare function maximum(input: Tensor, other: Tensor): Tensor;
export declare function minimum(input: Tensor, other: Tensor): Tensor;
export declare function greater(input: Tensor, other: TensorLike): Tensor;
export declare function less(input: Tensor, other: TensorLike): Tensor;
export declare function greater_equal(input: Tensor, other: TensorLike): Tensor;
export declare function less_equal(input: Tensor, other: TensorLike): Tensor;
export declare function not_equal(input: Tensor, other: TensorLike): Tensor;
export declare function min(input: Tensor, dim?: number | Tensor, keepdim?: boolean): any;
export declare function argmin(input: Tensor, dim?: number | null, keepdim?: boolean): Tensor;
export declare function norm(input: Tensor, p?: number | 'fro', dim?: number | number[] | null, keepdim?: boolean): Tensor;
declare function var_(input: Tensor, dim?: number | number[] | null | VarianceOptions, unbiased?: boolean | VarianceOptions, keepdim?: boolean): Tensor;
export { var_ as var };
export declare function std(input: Tensor, dim?: number | number[] | null | VarianceOptions, unbiased?: boolean | VarianceOptions, keepdim?: boolean): Tensor;
export declare function prod(input: Tensor, dim?: number | null, keepdim?: boolean): Tensor;
export declare function sort(input: Tensor, dim?: number | { dim?: number; descending?: boolean; stable?: boolean }, descending?: boolean): ValuesIndices;
export declare function argsort(input: Tensor, dim?: number, descending?: boolean): Tensor;
export declare function topk(input: Tensor, k: number, dim?: number, largest?: boolean, sorted?: boolean): ValuesIndices;
export declare function linspace(start: number, end: number, steps: number, options?: FactoryOptions): Tensor;
export declare function logspace(start: number, end: number, steps: number, base?: number, options?: FactoryOptions): Tensor;
export declare function logspace(start: number, end: number, steps: number, options?: FactoryOptions & { base?: number }): Tensor;
export declare function eye(n: number, m?: number, options?: FactoryOptions): Tensor;
export declare function eye(n: number, options?: FactoryOptions): Tensor;
export declare function relu(input: Tensor): Tensor;
export declare function sigmoid(input: Tensor): Tensor;
export declare function tanh(input: Tensor): Tensor;
export declare function matmul(input: Tensor, other: Tensor): Tensor;
export declare function mm(input: Tensor, other: Tensor): Tensor;
export declare function sum(input: Tensor, dim?: number | number[] | null, keepdim?: boolean): Tensor;
export declare function mean(input: Tensor, dim?: number | number[] | null, keepdim?: boolean): Tensor;
export declare function max(input: Tensor, dim?: number | Tensor, keepdim?: boolean): any;
export declare function argmax(input: Tensor, dim?: number | null, keepdim?: boolean): Tensor;
export declare function softmax(input: Tensor, dim: number): Tensor;
export declare function log_softmax(input: Tensor, dim: number): Tensor;
export declare function reshape(input: Tensor, shape: Shape): Tensor;
export declare function flatten(input: Tensor, start_dim?: number, end_dim?: number): Tensor;
export declare function squeeze(input: Tensor, dim?: number): Tensor;
export declare function unsqueeze(input: Tensor, dim: number): Tensor;
export declare function transpose(input: Tensor, dim0: number, dim1: number): Tensor;
export declare function permute(input: Tensor, dims: number[]): Tensor;
export declare function clone(input: Tensor): Tensor;
export declare function detach(input: Tensor): Tensor;
export declare function eq(input: Tensor, other: TensorLike): Tensor;
export declare function ne(input: Tensor, other: TensorLike): Tensor;
export declare function gt(input: Tensor, other: TensorLike): Tensor;
export declare function lt(input: Tensor, other: TensorLike): Tensor;
export declare function ge(input: Tensor, other: TensorLike): Tensor;
export declare function le(input: Tensor, other: TensorLike): Tensor;
export declare function index_select(input: Tensor, dim: number, index: Tensor): Tensor;
export declare function narrow(input: Tensor, dim: number, start: number, length: number): Tensor;
export declare function select(input: Tensor, dim: number, index: number): Tensor;
export declare function gather(input: Tensor, dim: number, index: Tensor): Tensor;
export declare function scatter(input: Tensor, dim: number, index: Tensor, src: Tensor | number, options?: { reduce?: 'add' }): Tensor;
export declare function scatter_add(input: Tensor, dim: number, index: Tensor, src: Tensor): Tensor;
export declare function index_put(input: Tensor, indices: Tensor[], values: Tensor, accumulate?: boolean): Tensor;
export declare function masked_fill(input: Tensor, mask: Tensor, value: Scalar | Tensor): Tensor;
export declare function nonzero(input: Tensor): Tensor;
export declare function cat(tensors: Tensor[], dim?: number): Tensor;
export declare function concat(tensors: Tensor[], dim?: number): Tensor;
export declare function stack(tensors: Tensor[], dim?: number): Tensor;
export declare function is_tensor(x: unknown): x is Tensor;
export declare function numel(input: Tensor): number;

/** Runs fn without recording a graph and returns its result (`with torch.no_grad():`). */
export declare function no_grad<T>(fn: () => T): T;
export declare function enable_grad<T>(fn: () => T): T;
export declare function inference_mode<T>(fn: () => T): T;
export declare function is_grad_enabled(): boolean;
export declare function set_grad_enabled(mode: boolean): void;

export interface MemoryStats {
  live_tensors: number; live_bytes: number; live_handles: number; scoped_tensors: number;
  heap_bytes: number; heap_limit: number; step: number;
}
export declare function memory_stats(): MemoryStats;

export declare const float32: 'float32';
export declare const float: 'float32';
export declare const int64: 'int64';
export declare const long: 'int64';
export declare const bool: 'bool';
export declare const ready: Promise<true>;
export declare function set_simd(on: boolean): void;
export declare function simd_available(): boolean;

export type SaveFormat = 'pt' | 'safetensors';
export declare function save(obj: object, options?: { format?: SaveFormat; metadata?: Record<string, string> }): Uint8Array;
export declare function save(obj: object, path: string, options?: { format?: SaveFormat; metadata?: Record<string, string> }): Promise<void>;
export declare function load(bytes: Uint8Array | ArrayBuffer | ArrayBufferView, options?: { map_location?: 'cpu'; weights_only?: boolean }): any;
/** A path (Node) or URL (browsers), or a Blob / File / fetch Response (anything with arrayBuffer()). */
export declare function load(source: string | { arrayBuffer(): Promise<ArrayBuffer> }, options?: { map_location?: 'cpu'; weights_only?: boolean }): Promise<any>;
export declare function download(obj: object, filename: string, options?: { format?: SaveFormat }): void;

export * as nn from './nn/index.js';
export * as F from './nn/functional.js';
export * as optim from './optim/index.js';
export * as utils from './utils/index.js';
