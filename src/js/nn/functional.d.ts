// nn/functional.d.ts: types for torch.nn.functional (also torch.F).
import { Tensor } from '../index.js';
type Pair = number | [number, number];
type Reduction = 'none' | 'mean' | 'sum';
type Opt<T> = T & Record<string, unknown>;

export declare function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, stride?: Pair, padding?: Pair | 'same' | 'valid', dilation?: Pair, groups?: number): Tensor;
export declare function conv2d(input: Tensor, weight: Tensor, options: Opt<{ bias?: Tensor | null; stride?: Pair; padding?: Pair | 'same' | 'valid'; dilation?: Pair; groups?: number }>): Tensor;
export declare function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor;
export declare function max_pool2d(input: Tensor, kernel_size: Pair, ...rest: any[]): any;
export declare function avg_pool2d(input: Tensor, kernel_size: Pair, ...rest: any[]): Tensor;
export declare function adaptive_avg_pool2d(input: Tensor, output_size: number | [number | null, number | null]): Tensor;
export declare function batch_norm(input: Tensor, running_mean: Tensor | null, running_var: Tensor | null, ...rest: any[]): Tensor;
export declare function dropout(input: Tensor, p?: number, training?: boolean): Tensor;
export declare function dropout2d(input: Tensor, p?: number, training?: boolean): Tensor;
/** inplace: overwrites input (when it has no autograd history) and returns it. */
export declare function relu(input: Tensor, inplace?: boolean | { inplace?: boolean }): Tensor;
export declare function sigmoid(input: Tensor): Tensor;
export declare function tanh(input: Tensor): Tensor;
export declare function leaky_relu(input: Tensor, negative_slope?: number, inplace?: boolean): Tensor;
export declare function elu(input: Tensor, alpha?: number, inplace?: boolean): Tensor;
export declare function gelu(input: Tensor, options?: { approximate?: 'none' | 'tanh' }): Tensor;
export declare function silu(input: Tensor): Tensor;
export declare function softplus(input: Tensor, beta?: number, threshold?: number): Tensor;
export declare function softplus(input: Tensor, options: { beta?: number; threshold?: number }): Tensor;
export declare function softmax(input: Tensor, dim?: number | null): Tensor;
export declare function log_softmax(input: Tensor, dim?: number | null): Tensor;
export declare function flatten(input: Tensor, start_dim?: number, end_dim?: number): Tensor;
export declare function cross_entropy(input: Tensor, target: Tensor, options?: { weight?: Tensor | null; ignore_index?: number; reduction?: Reduction; label_smoothing?: number }): Tensor;
export declare function nll_loss(input: Tensor, target: Tensor, options?: { weight?: Tensor | null; ignore_index?: number; reduction?: Reduction }): Tensor;
export declare function l1_loss(input: Tensor, target: Tensor, options?: { reduction?: Reduction }): Tensor;
export declare function mse_loss(input: Tensor, target: Tensor, options?: { reduction?: Reduction }): Tensor;
export declare function smooth_l1_loss(input: Tensor, target: Tensor, options?: { reduction?: Reduction; beta?: number }): Tensor;
export declare function huber_loss(input: Tensor, target: Tensor, options?: { reduction?: Reduction; delta?: number }): Tensor;
export declare function binary_cross_entropy(input: Tensor, target: Tensor, options?: { weight?: Tensor | null; reduction?: Reduction }): Tensor;
export declare function binary_cross_entropy_with_logits(input: Tensor, target: Tensor, options?: { weight?: Tensor | null; reduction?: Reduction; pos_weight?: Tensor | null }): Tensor;
export declare function kl_div(input: Tensor, target: Tensor, options?: { reduction?: Reduction | 'batchmean'; log_target?: boolean }): Tensor;
