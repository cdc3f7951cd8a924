// optim/lr_scheduler.d.ts: types for torch.optim.lr_scheduler.
import { Optimizer } from './index.js';

export declare class LRScheduler {
  constructor(optimizer: Optimizer, last_epoch?: number, verbose?: boolean);
  optimizer: Optimizer;
  last_epoch: number;
  base_lrs: number[];
  get_last_lr(): number[];
  step(epoch?: number): void;
  state_dict(): Record<string, any>;
  load_state_dict(state_dict: Record<string, any>): void;
}
type Common = { last_epoch?: number; verbose?: boolean };
export declare class StepLR extends LRScheduler { constructor(optimizer: Optimizer, step_size: number, gamma?: number, last_epoch?: number, verbose?: boolean); constructor(optimizer: Optimizer, options: Common & { step_size: number; gamma?: number }); }
export declare class MultiStepLR extends LRScheduler { constructor(optimizer: Optimizer, milestones: number[], gamma?: number); constructor(optimizer: Optimizer, options: Common & { milestones: number[]; gamma?: number }); }
export declare class ConstantLR extends LRScheduler { constructor(optimizer: Optimizer, options?: Common & { factor?: number; total_iters?: number }); }
export declare class LinearLR extends LRScheduler { constructor(optimizer: Optimizer, options?: Common & { start_factor?: number; end_factor?: number; total_iters?: number }); }
export declare class ExponentialLR extends LRScheduler { constructor(optimizer: Optimizer, gamma: number, last_epoch?: number, verbose?: boolean); constructor(optimizer: Optimizer, options: Common & { gamma: number }); }
export declare class PolynomialLR extends LRScheduler { constructor(optimizer: Optimizer, options?: Common & { total_iters?: number; power?: number }); }
export declare class CosineAnnealingLR extends LRScheduler { constructor(optimizer: Optimizer, T_max: number, eta_min?: number); constructor(optimizer: Optimizer, options: Common & { T_max: number; eta_min?: number }); }
export declare class CosineAnnealingWarmRestarts extends LRScheduler { constructor(optimizer: Optimizer, T_0: number, T_mult?: number, eta_min?: number); constructor(optimizer: Optimizer, options: Common & { T_0: number; T_mult?: number; eta_min?: number }); }
export declare class CyclicLR extends LRScheduler {
  constructor(optimizer: Optimizer, options: Common & { base_lr: number | number[]; max_lr: number | number[]; step_size_up?: number; step_size_down?: number | null;
    mode?: 'triangular' | 'triangular2' | 'exp_range'; gamma?: number; scale_fn?: ((x: number) => number) | null; scale_mode?: 'cycle' | 'iterations';
    cycle_momentum?: boolean; base_momentum?: number | number[]; max_momentum?: number | number[] });
}
export declare class OneCycleLR extends LRScheduler {
  constructor(optimizer: Optimizer, options: Common & { max_lr: number | number[]; total_steps?: number | null; epochs?: number | null; steps_per_epoch?: number | null;
    pct_start?: number; anneal_strategy?: 'cos' | 'linear'; cycle_momentum?: boolean; base_momentum?: number | number[]; max_momentum?: number | number[];
    div_factor?: number; final_div_factor?: number; three_phase?: boolean });
}
export declare class LambdaLR extends LRScheduler { constructor(optimizer: Optimizer, lr_lambda: ((epoch: number) => number) | Array<(epoch: number) => number>, last_epoch?: number, verbose?: boolean); }
export declare class MultiplicativeLR extends LRScheduler { constructor(optimizer: Optimizer, lr_lambda: ((epoch: number) => number) | Array<(epoch: number) => number>, last_epoch?: number, verbose?: boolean); }
export declare class SequentialLR extends LRScheduler { constructor(optimizer: Optimizer, schedulers: LRScheduler[], milestones: number[], last_epoch?: number, verbose?: boolean); }
export declare class ChainedScheduler extends LRScheduler { constructor(schedulers: LRScheduler[]); }
export declare class ReduceLROnPlateau {
  constructor(optimizer: Optimizer, options?: { mode?: 'min' | 'max'; factor?: number; patience?: number; threshold?: number; threshold_mode?: 'rel' | 'abs';
    cooldown?: number; min_lr?: number | number[]; eps?: number; verbose?: boolean });
  step(metrics: number, epoch?: number): void;
  get_last_lr(): number[];
  state_dict(): Record<string, any>;
  load_state_dict(state_dict: Record<string, any>): void;
  best: number; num_bad_epochs: number; cooldown_counter: number; last_epoch: number;
}
