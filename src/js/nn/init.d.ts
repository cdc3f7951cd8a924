// nn/init.d.ts: types for torch.nn.init.
import { Tensor } from '../index.js';
type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';
export declare function calculate_gain(nonlinearity: Nonlinearity, param?: number | null): number;
export declare function _calculate_fan_in_and_fan_out(tensor: Tensor): [number, number];
export declare function uniform_(tensor: Tensor, a?: number, b?: number): Tensor;
export declare function normal_(tensor: Tensor, mean?: number, std?: number): Tensor;
export declare function constant_(tensor: Tensor, val: number): Tensor;
export declare function zeros_(tensor: Tensor): Tensor;
export declare function ones_(tensor: Tensor): Tensor;
export declare function xavier_uniform_(tensor: Tensor, gain?: number): Tensor;
export declare function xavier_normal_(tensor: Tensor, gain?: number): Tensor;
export declare function kaiming_uniform_(tensor: Tensor, a?: number, mode?: 'fan_in' | 'fan_out', nonlinearity?: Nonlinearity): Tensor;
export declare function kaiming_uniform_(tensor: Tensor, options: { a?: number; mode?: 'fan_in' | 'fan_out'; nonlinearity?: Nonlinearity }): Tensor;
export declare function kaiming_normal_(tensor: Tensor, a?: number, mode?: 'fan_in' | 'fan_out', nonlinearity?: Nonlinearity): Tensor;
export declare function kaiming_normal_(tensor: Tensor, options: { a?: number; mode?: 'fan_in' | 'fan_out'; nonlinearity?: Nonlinearity }): Tensor;
