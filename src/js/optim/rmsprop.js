// optim/rmsprop.js: torch.optim.RMSprop (alpha, eps, weight_decay, momentum, centered, maximize).
import { checkNonNegative, k, Optimizer, optimizerOptions } from './optimizer.js';

export class RMSprop extends Optimizer {
  constructor(params, ...args) {
    super(params, optimizerOptions('RMSprop', args, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weight_decay: 0, momentum: 0, centered: false, maximize: false, foreach: null, differentiable: false }));
  }
  _validate(group) {
    super._validate(group);
    checkNonNegative('RMSprop', 'learning rate', group.lr);
    checkNonNegative('RMSprop', 'epsilon value', group.eps);
    checkNonNegative('RMSprop', 'momentum value', group.momentum);
    checkNonNegative('RMSprop', 'weight_decay value', group.weight_decay);
    checkNonNegative('RMSprop', 'alpha value', group.alpha);
  }
  _initState(p, group) {
    const state = { step: 0, square_avg: this._zerosLike(p) };
    if (group.momentum > 0) state.momentum_buffer = this._zerosLike(p);
    if (group.centered) state.grad_avg = this._zerosLike(p);
    return state;
  }
  _prepare(p, state, group) {
    if (group.momentum > 0 && !state.momentum_buffer) state.momentum_buffer = this._zerosLike(p);
    if (group.centered && !state.grad_avg) state.grad_avg = this._zerosLike(p);
  }
  _update(p, state, group) {
    state.step += 1;
    return k.k_rmsprop_update(p.handle, state.square_avg.handle, group.centered ? state.grad_avg.handle : 0,
      group.momentum > 0 ? state.momentum_buffer.handle : 0, group.lr, group.alpha, group.eps, group.weight_decay,
      group.momentum, group.centered ? 1 : 0, group.maximize ? 1 : 0);
  }
}
