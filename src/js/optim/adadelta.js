// optim/adadelta.js: torch.optim.Adadelta (lr, rho, eps, weight_decay, maximize), the
// optimizer of pytorch/examples' MNIST. The update is one fused C kernel per parameter.
import { checkNonNegative, k, Optimizer, optimizerOptions } from './optimizer.js';

export class Adadelta extends Optimizer {
  constructor(params, ...args) {
    super(params, optimizerOptions('Adadelta', args, { lr: 1.0, rho: 0.9, eps: 1e-6, weight_decay: 0, foreach: null, maximize: false, differentiable: false }));
  }
  _validate(group) {
    super._validate(group);
    checkNonNegative('Adadelta', 'learning rate', group.lr);
    checkNonNegative('Adadelta', 'rho value', group.rho);
    if (group.rho > 1) throw new RangeError(`Adadelta: Invalid rho value: ${group.rho}`);
    checkNonNegative('Adadelta', 'epsilon value', group.eps);
    checkNonNegative('Adadelta', 'weight_decay value', group.weight_decay);
  }
  _initState(p) {
    return { step: 0, square_avg: this._zerosLike(p), acc_delta: this._zerosLike(p) };
  }
  _update(p, state, group) {
    state.step += 1;
    return k.k_adadelta_update(p.handle, state.square_avg.handle, state.acc_delta.handle, group.lr, group.rho,
      group.eps, group.weight_decay, group.maximize ? 1 : 0);
  }
}
