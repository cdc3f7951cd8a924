// optim/adagrad.js: torch.optim.Adagrad (lr_decay, weight_decay, initial_accumulator_value,
// eps, maximize). As in PyTorch, its state exists from construction.
import { checkNonNegative, k, Optimizer, optimizerOptions } from './optimizer.js';

export class Adagrad extends Optimizer {
  constructor(params, ...args) {
    super(params, optimizerOptions('Adagrad', args, { lr: 1e-2, lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10, foreach: null, maximize: false, differentiable: false }));
    // As PyTorch 1.13: every group's sum starts from the constructor's value, even for a
    // group that names its own initial_accumulator_value.
    for (const group of this.param_groups)
      for (const p of group.params) this.state.set(p, this._initState(p, this.defaults));
  }
  _validate(group) {
    super._validate(group);
    checkNonNegative('Adagrad', 'learning rate', group.lr);
    checkNonNegative('Adagrad', 'lr_decay value', group.lr_decay);
    checkNonNegative('Adagrad', 'weight_decay value', group.weight_decay);
    checkNonNegative('Adagrad', 'initial_accumulator_value value', group.initial_accumulator_value);
    checkNonNegative('Adagrad', 'epsilon value', group.eps);
  }
  _initState(p, group) {
    return { step: 0, sum: this._filledLike(p, group.initial_accumulator_value) };
  }
  _update(p, state, group) {
    state.step += 1;
    return k.k_adagrad_update(p.handle, state.sum.handle, state.step, group.lr, group.lr_decay, group.weight_decay,
      group.eps, group.maximize ? 1 : 0);
  }
}
