// optim/adam.js: torch.optim.Adam and AdamW (betas, eps, weight_decay, amsgrad, maximize);
// AdamW decays weights decoupled from the gradient, as PyTorch's.
import { typeError } from '../errors.js';
import { checkNonNegative, k, Optimizer, optimizerOptions } from './optimizer.js';

function validateAdam(name, group) {
  checkNonNegative(name, 'learning rate', group.lr);
  checkNonNegative(name, 'epsilon value', group.eps);
  if (!Array.isArray(group.betas) || group.betas.length !== 2) throw typeError(name, 'betas as a pair of numbers', group.betas);
  group.betas.forEach((beta, i) => {
    if (typeof beta !== 'number' || !(beta >= 0 && beta < 1))
      throw new RangeError(`${name}: Invalid beta parameter at index ${i}: ${beta}`);
  });
  checkNonNegative(name, 'weight_decay value', group.weight_decay);
}

class AdamBase extends Optimizer {
  _validate(group) {
    super._validate(group);
    validateAdam(this.constructor.name, group);
  }
  _initState(p, group) {
    const state = { step: 0, exp_avg: this._zerosLike(p), exp_avg_sq: this._zerosLike(p) };
    if (group.amsgrad) state.max_exp_avg_sq = this._zerosLike(p);
    return state;
  }
  _prepare(p, state, group) {
    if (group.amsgrad && !state.max_exp_avg_sq) state.max_exp_avg_sq = this._zerosLike(p);
  }
  _update(p, state, group) {
    state.step += 1;
    return k.k_adam_update(p.handle, state.exp_avg.handle, state.exp_avg_sq.handle,
      group.amsgrad ? state.max_exp_avg_sq.handle : 0, state.step, group.lr, group.betas[0], group.betas[1],
      group.eps, group.weight_decay, group.amsgrad ? 1 : 0, group.maximize ? 1 : 0, this._decoupled);
  }
}

export class Adam extends AdamBase {
  constructor(params, ...args) {
    super(params, optimizerOptions('Adam', args, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, maximize: false, foreach: null, capturable: false, differentiable: false, fused: false }));
  }
  get _decoupled() { return 0; }
}

export class AdamW extends AdamBase {
  constructor(params, ...args) {
    super(params, optimizerOptions('AdamW', args, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 1e-2, amsgrad: false, maximize: false, foreach: null, capturable: false, differentiable: false, fused: false }));
  }
  get _decoupled() { return 1; }
}
