// optim/sgd.js: torch.optim.SGD (momentum, dampening, weight_decay, nesterov, maximize).
import { checkNonNegative, k, Optimizer, optimizerOptions } from './optimizer.js';

export class SGD extends Optimizer {
  constructor(params, ...args) {
    const defaults = optimizerOptions('SGD', args, { lr: 1e-3, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, maximize: false, foreach: null, differentiable: false });
    super(params, defaults);
  }
  _validate(group) {
    super._validate(group);
    checkNonNegative('SGD', 'learning rate', group.lr);
    checkNonNegative('SGD', 'momentum value', group.momentum);
    checkNonNegative('SGD', 'weight_decay value', group.weight_decay);
    if (typeof group.dampening !== 'number') throw new TypeError(`SGD: expected a number for dampening, got ${group.dampening}`);
    if (group.nesterov && (group.momentum <= 0 || group.dampening !== 0))
      throw new RangeError('SGD: Nesterov momentum requires a momentum and zero dampening');
  }
  _initState() { return {}; }
  _prepare(p, state, group) {
    if (group.momentum !== 0 && !state.momentum_buffer) state.momentum_buffer = this._zerosLike(p);
  }
  _update(p, state, group) {
    // a buffer made by this step starts as the gradient itself (PyTorch: buf = clone(grad))
    const first = group.momentum !== 0 && this._isNew(state.momentum_buffer) ? 1 : 0;
    const buffer = group.momentum !== 0 ? state.momentum_buffer.handle : 0;
    return k.k_sgd_update(p.handle, buffer, group.lr, group.momentum, group.dampening, group.weight_decay,
      group.nesterov ? 1 : 0, group.maximize ? 1 : 0, first);
  }
}
