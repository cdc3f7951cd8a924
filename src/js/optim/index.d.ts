// optim/index.d.ts: types for torch.optim.
import { Tensor } from '../index.js';
export * as lr_scheduler from './lr_scheduler.js';

export interface ParamGroup { params: Tensor[]; lr: number; [option: string]: any; }
export type Params = Iterable<Tensor> | Array<{ params: Iterable<Tensor> | Tensor; [option: string]: any }>;
export interface OptimizerStateDict { state: Record<number, Record<string, any>>; param_groups: Array<Record<string, any>>; }

export declare class Optimizer {
  param_groups: ParamGroup[];
  state: Map<Tensor, Record<string, any>>;
  defaults: Record<string, any>;
  add_param_group(group: { params: Iterable<Tensor> | Tensor; [option: string]: any }): void;
  zero_grad(options?: { set_to_none?: boolean }): void;
  step(closure?: () => any): any;
  state_dict(): OptimizerStateDict;
  load_state_dict(state_dict: OptimizerStateDict): void;
}
export declare class SGD extends Optimizer {
  constructor(params: Params, lr?: number, options?: { momentum?: number; dampening?: number; weight_decay?: number; nesterov?: boolean; maximize?: boolean });
  constructor(params: Params, options?: { lr?: number; momentum?: number; dampening?: number; weight_decay?: number; nesterov?: boolean; maximize?: boolean });
}
interface AdamOptions { lr?: number; betas?: [number, number]; eps?: number; weight_decay?: number; amsgrad?: boolean; maximize?: boolean }
export declare class Adam extends Optimizer { constructor(params: Params, options?: AdamOptions); constructor(params: Params, lr: number, options?: AdamOptions); }
export declare class AdamW extends Optimizer { constructor(params: Params, options?: AdamOptions); constructor(params: Params, lr: number, options?: AdamOptions); }
interface RMSpropOptions { lr?: number; alpha?: number; eps?: number; weight_decay?: number; momentum?: number; centered?: boolean; maximize?: boolean }
export declare class RMSprop extends Optimizer { constructor(params: Params, options?: RMSpropOptions); constructor(params: Params, lr: number, options?: RMSpropOptions); }
interface AdagradOptions { lr?: number; lr_decay?: number; weight_decay?: number; initial_accumulator_value?: number; eps?: number; maximize?: boolean }
export declare class Adagrad extends Optimizer { constructor(params: Params, options?: AdagradOptions); constructor(params: Params, lr: number, options?: AdagradOptions); }
interface AdadeltaOptions { lr?: number; rho?: number; eps?: number; weight_decay?: number; maximize?: boolean }
export declare class Adadelta extends Optimizer { constructor(params: Params, options?: AdadeltaOptions); constructor(params: Params, lr: number, options?: AdadeltaOptions); }
