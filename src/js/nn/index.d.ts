// nn/index.d.ts: types for torch.nn.
import { Tensor } from '../index.js';
export * as functional from './functional.js';
export * as init from './init.js';

export declare class Parameter extends Tensor {
  constructor(data: Tensor, requires_grad?: boolean);
}

export interface ModuleCall { (...inputs: any[]): any; }

export declare class Module {
  training: boolean;
  constructor();
  forward(...inputs: any[]): any;
  register_buffer(name: string, tensor: Tensor | null, options?: { persistent?: boolean }): void;
  register_parameter(name: string, param: Parameter | null): void;
  add_module(name: string, module: Module | null): void;
  register_module(name: string, module: Module | null): void;
  named_children(): IterableIterator<[string, Module]>;
  children(): Module[];
  named_modules(): [string, Module][];
  modules(): Module[];
  named_parameters(options?: { prefix?: string; recurse?: boolean }): [string, Parameter][];
  parameters(recurse?: boolean): Parameter[];
  named_buffers(): [string, Tensor][];
  buffers(): Tensor[];
  get_submodule(target: string): Module;
  apply(fn: (module: Module) => void): this;
  train(mode?: boolean): this;
  eval(): this;
  requires_grad_(requires_grad?: boolean): this;
  zero_grad(options?: { set_to_none?: boolean }): void;
  to(...args: any[]): this;
  cpu(): this;
  /** Throws: kindling has no CUDA device. */
  cuda(): never;
  float(): this;
  state_dict(options?: { prefix?: string; keep_vars?: boolean }): Record<string, Tensor>;
  load_state_dict(state_dict: Record<string, Tensor>, options?: { strict?: boolean }): { missing_keys: string[]; unexpected_keys: string[] };
  extra_repr(): string;
  toString(): string;
}
/** Modules are callable: `model(x)` runs `model.forward(x)`, with forward's argument and result types. */
export interface Module { (...inputs: Parameters<this['forward']>): ReturnType<this['forward']>; }

type Pair = number | [number, number];

export declare class Sequential extends Module {
  constructor(...modules: Module[]);
  constructor(modules: Record<string, Module>);
  readonly length: number;
  at(index: number): Module;
  append(module: Module): this;
  [Symbol.iterator](): Iterator<Module>;
  [index: number]: Module;
  forward(input: any): any;
}
export declare class ModuleList extends Module {
  constructor(modules?: Module[]);
  readonly length: number;
  at(index: number): Module;
  append(module: Module): this;
  [Symbol.iterator](): Iterator<Module>;
  [index: number]: Module;
}

export declare class Conv2d extends Module {
  constructor(in_channels: number, out_channels: number, kernel_size: Pair, stride?: Pair, padding?: Pair | 'same' | 'valid',
    dilation?: Pair, groups?: number, bias?: boolean, options?: { padding_mode?: 'zeros' });
  constructor(in_channels: number, out_channels: number, kernel_size: Pair, options?: {
    stride?: Pair; padding?: Pair | 'same' | 'valid'; dilation?: Pair; groups?: number; bias?: boolean; padding_mode?: 'zeros' });
  in_channels: number; out_channels: number; kernel_size: [number, number]; stride: [number, number];
  padding: [number, number] | 'same' | 'valid'; dilation: [number, number]; groups: number;
  weight: Parameter; bias: Parameter | null;
  reset_parameters(): void;
  forward(input: Tensor): Tensor;
}
export declare class Linear extends Module {
  constructor(in_features: number, out_features: number, bias?: boolean);
  constructor(in_features: number, out_features: number, options?: { bias?: boolean });
  in_features: number; out_features: number; weight: Parameter; bias: Parameter | null;
  reset_parameters(): void;
  forward(input: Tensor): Tensor;
}
declare class Layer extends Module { forward(input: Tensor): Tensor; }
export declare class Identity extends Layer {}
export declare class ReLU extends Layer { constructor(options?: { inplace?: boolean }); }
export declare class Sigmoid extends Layer {}
export declare class Tanh extends Layer {}
export declare class LeakyReLU extends Layer { constructor(negative_slope?: number, options?: { inplace?: boolean }); constructor(options: { negative_slope?: number; inplace?: boolean }); }
export declare class ELU extends Layer { constructor(alpha?: number, options?: { inplace?: boolean }); constructor(options: { alpha?: number; inplace?: boolean }); }
export declare class GELU extends Layer { constructor(options?: { approximate?: 'none' | 'tanh' }); }
export declare class Softmax extends Layer { constructor(dim?: number | null); constructor(options: { dim?: number }); }
export declare class LogSoftmax extends Layer { constructor(dim?: number | null); constructor(options: { dim?: number }); }
export declare class MaxPool2d extends Module {
  constructor(kernel_size: Pair, stride?: Pair | null, padding?: Pair, dilation?: Pair, return_indices?: boolean, ceil_mode?: boolean);
  constructor(kernel_size: Pair, options?: { stride?: Pair | null; padding?: Pair; dilation?: Pair; return_indices?: boolean; ceil_mode?: boolean });
  forward(input: Tensor): any;
}
export declare class AvgPool2d extends Layer {
  constructor(kernel_size: Pair, stride?: Pair | null, padding?: Pair, ceil_mode?: boolean, count_include_pad?: boolean, divisor_override?: number | null);
  constructor(kernel_size: Pair, options?: { stride?: Pair | null; padding?: Pair; ceil_mode?: boolean; count_include_pad?: boolean; divisor_override?: number | null });
}
export declare class AdaptiveAvgPool2d extends Layer { constructor(output_size: number | [number | null, number | null]); }
interface BatchNormOptions { eps?: number; momentum?: number | null; affine?: boolean; track_running_stats?: boolean }
export declare class BatchNorm1d extends Layer { constructor(num_features: number, options?: BatchNormOptions); running_mean: Tensor; running_var: Tensor; num_batches_tracked: Tensor; weight: Parameter | null; bias: Parameter | null; }
export declare class BatchNorm2d extends Layer { constructor(num_features: number, options?: BatchNormOptions); running_mean: Tensor; running_var: Tensor; num_batches_tracked: Tensor; weight: Parameter | null; bias: Parameter | null; }
export declare class Dropout extends Layer { constructor(p?: number, options?: { inplace?: boolean }); constructor(options: { p?: number; inplace?: boolean }); }
export declare class Dropout2d extends Layer { constructor(p?: number, options?: { inplace?: boolean }); constructor(options: { p?: number; inplace?: boolean }); }
export declare class Flatten extends Layer { constructor(start_dim?: number, end_dim?: number); constructor(options: { start_dim?: number; end_dim?: number }); }
export declare class Unflatten extends Layer { constructor(dim: number, unflattened_size: number[]); }

type Reduction = 'none' | 'mean' | 'sum';
declare class Loss extends Module { forward(input: Tensor, target: Tensor): Tensor; }
export declare class CrossEntropyLoss extends Loss { constructor(options?: { weight?: Tensor | null; ignore_index?: number; reduction?: Reduction; label_smoothing?: number }); }
export declare class NLLLoss extends Loss { constructor(options?: { weight?: Tensor | null; ignore_index?: number; reduction?: Reduction }); }
export declare class L1Loss extends Loss { constructor(options?: { reduction?: Reduction }); }
export declare class MSELoss extends Loss { constructor(options?: { reduction?: Reduction }); }
export declare class SmoothL1Loss extends Loss { constructor(options?: { reduction?: Reduction; beta?: number }); }
export declare class HuberLoss extends Loss { constructor(options?: { reduction?: Reduction; delta?: number }); }
export declare class BCELoss extends Loss { constructor(options?: { weight?: Tensor | null; reduction?: Reduction }); }
export declare class BCEWithLogitsLoss extends Loss { constructor(options?: { weight?: Tensor | null; reduction?: Reduction; pos_weight?: Tensor | null }); }
export declare class KLDivLoss extends Loss { constructor(options?: { reduction?: Reduction | 'batchmean'; log_target?: boolean }); }
