// utils/data.d.ts: types for torch.utils.data. A dataset's sample type is its type
// parameter (Dataset<[Tensor, number]>); a DataLoader's batch type follows from it the way
// default_collate builds batches (tensors and numbers become one stacked Tensor, tuples
// and objects are collated field by field), or from the collate_fn you pass.
// Not here: the datasets and transforms packages (kindling/datasets, kindling/transforms).
import { Generator, Tensor } from '../index.js';

/** Batched fetching: a dataset may define [FETCH_BATCH](indices) returning a whole collated batch. */
export declare const FETCH_BATCH: unique symbol;

/** What default_collate makes of a list of samples of type T. */
export type Collated<T> =
  T extends Tensor ? Tensor :
  T extends number | boolean | bigint ? Tensor :
  T extends string ? string[] :
  T extends ArrayBufferView ? Tensor :
  T extends readonly unknown[] ? { -readonly [K in keyof T]: Collated<T[K]> } :
  T extends object ? { [K in keyof T]: Collated<T[K]> } :
  never;

/** What default_convert makes of one sample (batch_size: null): typed arrays become tensors. */
export type Converted<T> =
  T extends Tensor ? Tensor :
  T extends ArrayBufferView ? Tensor :
  T extends readonly unknown[] ? { -readonly [K in keyof T]: Converted<T[K]> } :
  T extends number | boolean | bigint | string | null | undefined ? T :
  T extends object ? { [K in keyof T]: Converted<T[K]> } :
  T;

/** Anything with a length and indexed samples (the JS names of __len__ / __getitem__). */
export interface SizedDataset<T> { len(): number; getitem(index: number): T; }
/** A class written with Python's dunder names instead. */
export interface DunderDataset<T> { __len__(): number; __getitem__(index: number): T; }
/** A map-style dataset: a Dataset, anything with len()/getitem(), or a plain array of samples. */
export type MapDataset<T> = SizedDataset<T> | DunderDataset<T> | ArrayLike<T>;
/** Anything a DataLoader iterates: a map-style dataset or a stream of samples. */
export type DatasetSource<T> = MapDataset<T> | Iterable<T> | AsyncIterable<T>;
/** An iterable of sample indices: a Sampler, an array, a generator. */
export type Indices = Iterable<number> | ArrayLike<number> | Tensor;

export declare class Dataset<T = unknown> {
  constructor();
  /** The number of samples (Python's __len__). Subclasses override it. */
  len(): number;
  /** Sample `index` (Python's __getitem__); may return a Promise (iterate with `for await`). */
  getitem(index: number): T;
  /** len(); assignable, for subclasses that store their own length. */
  length: number;
  /** dataset + other (Python's __add__). */
  add<U>(other: MapDataset<U>): ConcatDataset<T | U>;
}

/** A stream of samples: subclasses define *[Symbol.iterator]() (or __iter__, or Symbol.asyncIterator). */
export declare class IterableDataset<T = unknown> implements Iterable<T> {
  constructor();
  [Symbol.iterator](): Iterator<T>;
  add<U>(other: Iterable<U>): ChainDataset<T | U>;
}

export declare class ChainDataset<T = unknown> extends IterableDataset<T> implements AsyncIterable<T> {
  constructor(datasets: Iterable<Iterable<T> | AsyncIterable<T>>);
  datasets: Array<Iterable<T> | AsyncIterable<T>>;
  [Symbol.asyncIterator](): AsyncIterator<T>;
  len(): number;
}

/** Samples are rows of the given tensors: getitem(i) -> [t[i] for each t]. */
export declare class TensorDataset<T extends Tensor[] = Tensor[]> extends Dataset<T> {
  constructor(...tensors: T);
  tensors: T;
  /** Python's train_ds[start:end]: the rows start..end-1 of every tensor. */
  slice(start?: number, end?: number | null): T;
  [FETCH_BATCH](indices: number[]): T;
}

export declare class Subset<T = unknown> extends Dataset<T> {
  constructor(dataset: MapDataset<T>, indices: Indices);
  dataset: MapDataset<T>;
  indices: number[];
}

/** Datasets one after the other; negative indices count from the end. */
export declare class ConcatDataset<T = unknown> extends Dataset<T> {
  constructor(datasets: Iterable<MapDataset<T>>);
  datasets: MapDataset<T>[];
  cumulative_sizes: number[];
}

/** lengths: counts, or fractions summing to 1; the same splits as PyTorch for the same seed. */
export declare function random_split<T>(dataset: MapDataset<T>, lengths: number[],
  generator?: Generator | null | { generator?: Generator | null }): Subset<T>[];

export declare class Sampler<I = number> implements Iterable<I> {
  constructor();
  [Symbol.iterator](): Iterator<I>;
  len(): number;
  readonly length: number;
}
export declare class SequentialSampler extends Sampler<number> {
  constructor(data_source: MapDataset<unknown>);
  data_source: MapDataset<unknown>;
}
export interface RandomSamplerOptions { replacement?: boolean; num_samples?: number | null; generator?: Generator | null; }
export declare class RandomSampler extends Sampler<number> {
  constructor(data_source: MapDataset<unknown>, options?: RandomSamplerOptions);
  constructor(data_source: MapDataset<unknown>, replacement?: boolean, num_samples?: number | null, generator?: Generator | null);
  data_source: MapDataset<unknown>;
  replacement: boolean;
  readonly num_samples: number;
  generator: Generator | null;
}
export declare class SubsetRandomSampler extends Sampler<number> {
  constructor(indices: Indices, options?: { generator?: Generator | null });
  constructor(indices: Indices, generator?: Generator | null);
  indices: number[];
  generator: Generator | null;
}
export declare class BatchSampler extends Sampler<number[]> {
  constructor(sampler: Iterable<number>, options: { batch_size: number; drop_last: boolean });
  constructor(sampler: Iterable<number>, batch_size: number, drop_last: boolean);
  sampler: Iterable<number>;
  batch_size: number;
  drop_last: boolean;
}

export declare function default_collate<T>(batch: T[]): Collated<T>;
export declare function default_convert<T>(data: T): Converted<T>;

export interface DataLoaderOptions<T, B> {
  batch_size?: number | null;
  shuffle?: boolean | null;
  sampler?: Iterable<number> | null;
  batch_sampler?: Iterable<number[]> | null;
  /** Accepted so PyTorch code transcribes; batches are always made in the calling thread. */
  num_workers?: number;
  collate_fn?: ((samples: T[]) => B) | null;
  pin_memory?: boolean;
  drop_last?: boolean;
  timeout?: number;
  worker_init_fn?: ((worker_id: number) => void) | null;
  multiprocessing_context?: unknown;
  generator?: Generator | null;
  prefetch_factor?: number | null;
  persistent_workers?: boolean;
  pin_memory_device?: string;
}

/**
 * new DataLoader(dataset, {batch_size, shuffle, ...}); iterate with
 * `for (const [x, y] of loader)` (or `for await` for async datasets). Batches are
 * step-scoped (README, "Memory"): read them inside the loop.
 */
export declare class DataLoader<T = unknown, B = Collated<Awaited<T>>> implements Iterable<B>, AsyncIterable<B> {
  constructor(dataset: DatasetSource<T>, options?: DataLoaderOptions<T, B>);
  constructor(dataset: DatasetSource<T>, batch_size: number | null, options?: DataLoaderOptions<T, B>);
  constructor(dataset: DatasetSource<T>, batch_size: number | null, shuffle: boolean | null, options?: DataLoaderOptions<T, B>);
  dataset: DatasetSource<T>;
  batch_size: number | null;
  drop_last: boolean;
  num_workers: number;
  generator: Generator | null;
  sampler: Iterable<number> | null;
  batch_sampler: Iterable<number[]> | null;
  collate_fn: (samples: T[]) => B;
  /** The number of batches in a pass. */
  len(): number;
  readonly length: number;
  [Symbol.iterator](): Iterator<B>;
  [Symbol.asyncIterator](): AsyncIterator<B>;
}
