// nn/loss.js: the loss functions (torch.nn.functional) and loss modules (torch.nn). The
// math lives in the C core (src/nn/loss.c); here arguments are checked and carried.
import { bind, signatures } from '../args.js';
import { k } from '../core.js';
import { checkInt, showValue, typeError } from '../errors.js';
import { Tensor, wrap } from '../tensor.js';
import { Module } from './module.js';

const REDUCTIONS = { none: 0, mean: 1, sum: 2 };

function reductionCode(call, a, { batchmean = false } = {}) {
  let reduction = a.reduction;
  if ((a.size_average ?? null) !== null || (a.reduce ?? null) !== null) { // PyTorch's legacy arguments
    const sizeAverage = a.size_average ?? true, reduce = a.reduce ?? true;
    reduction = !reduce ? 'none' : sizeAverage ? 'mean' : 'sum';
  }
  if (batchmean && reduction === 'batchmean') return 3;
  // own keys only: `in` would accept Object.prototype's names ('toString', 'constructor', ...)
  if (typeof reduction !== 'string' || !Object.hasOwn(REDUCTIONS, reduction))
    throw new RangeError(`${call}: ${showValue(reduction)} is not a valid value for reduction; ` +
      `expected 'none', 'mean'${batchmean ? ", 'sum' or 'batchmean'" : " or 'sum'"}`);
  return REDUCTIONS[reduction];
}

function tensorArg(call, name, value, { optional = false } = {}) {
  if (optional && (value === null || value === undefined)) return null;
  if (!(value instanceof Tensor)) throw typeError(call, `a Tensor for ${name}`, value);
  return value;
}

const handleOf = (t) => (t ? t.handle : 0);

export function cross_entropy(...args) {
  const a = bind('cross_entropy', args, [['input'], ['target'], ['weight', null], ['size_average', null],
    ['ignore_index', -100], ['reduce', null], ['reduction', 'mean'], ['label_smoothing', 0.0]]);
  const input = tensorArg('cross_entropy', 'input', a.input);
  const target = tensorArg('cross_entropy', 'target', a.target);
  const weight = tensorArg('cross_entropy', 'weight', a.weight, { optional: true });
  checkInt('cross_entropy', 'ignore_index', a.ignore_index);
  if (typeof a.label_smoothing !== 'number') throw typeError('cross_entropy', 'a number for label_smoothing', a.label_smoothing);
  return wrap(k.k_cross_entropy(input.handle, target.handle, handleOf(weight), a.ignore_index,
    reductionCode('cross_entropy', a), a.label_smoothing));
}

export function nll_loss(...args) {
  const a = bind('nll_loss', args, [['input'], ['target'], ['weight', null], ['size_average', null],
    ['ignore_index', -100], ['reduce', null], ['reduction', 'mean']]);
  const input = tensorArg('nll_loss', 'input', a.input);
  const target = tensorArg('nll_loss', 'target', a.target);
  const weight = tensorArg('nll_loss', 'weight', a.weight, { optional: true });
  checkInt('nll_loss', 'ignore_index', a.ignore_index);
  return wrap(k.k_nll_loss(input.handle, target.handle, handleOf(weight), a.ignore_index, reductionCode('nll_loss', a)));
}

function pointwise(call, kind, args, extra = []) {
  const a = bind(call, args, [['input'], ['target'], ['size_average', null], ['reduce', null], ['reduction', 'mean'], ...extra]);
  const input = tensorArg(call, 'input', a.input);
  const target = tensorArg(call, 'target', a.target);
  const param = extra.length ? a[extra[0][0]] : 0;
  if (typeof param !== 'number') throw typeError(call, `a number for ${extra[0][0]}`, param);
  return wrap(k.k_pointwise_loss(kind, input.handle, target.handle, reductionCode(call, a), param));
}
export const l1_loss = (...args) => pointwise('l1_loss', 0, args);
export const mse_loss = (...args) => pointwise('mse_loss', 1, args);
export const smooth_l1_loss = (...args) => pointwise('smooth_l1_loss', 2, args, [['beta', 1.0]]);
export function huber_loss(...args) {
  const a = bind('huber_loss', args, [['input'], ['target'], ['reduction', 'mean'], ['delta', 1.0]]);
  return pointwise('huber_loss', 3, [a.input, a.target, { reduction: a.reduction, delta: a.delta }], [['delta', 1.0]]);
}

/**
 * Runs run(weightHandle) with the weight broadcast to the input's shape, as the C kernels
 * take full-size weights (0 without a weight). The broadcast copy is an intermediate:
 * released here whether the loss succeeds or fails (a failure before the first step event
 * would otherwise keep it until GC).
 */
function withExpandedWeight(call, weight, input, run) {
  if (!weight) return run(0);
  weight.handle; // a released weight says so, not "does not broadcast"
  input.handle;
  let expanded;
  try {
    expanded = weight.expand(input.shape);
  } catch {
    throw new Error(`${call}: weight of shape [${weight.shape.join(', ')}] does not broadcast to the input's shape [${input.shape.join(', ')}]`);
  }
  let detached;
  try {
    // PyTorch multiplies by the weight, promoting an integer weight to float: cast likewise
    detached = expanded.dtype === 'float32' ? expanded.detach() : expanded.float();
  } finally {
    expanded.dispose();
  }
  try {
    return run(detached.handle);
  } finally {
    detached.dispose();
  }
}

export function binary_cross_entropy(...args) {
  const a = bind('binary_cross_entropy', args, [['input'], ['target'], ['weight', null], ['size_average', null],
    ['reduce', null], ['reduction', 'mean']]);
  const input = tensorArg('binary_cross_entropy', 'input', a.input);
  const target = tensorArg('binary_cross_entropy', 'target', a.target);
  const weight = tensorArg('binary_cross_entropy', 'weight', a.weight, { optional: true });
  const reduction = reductionCode('binary_cross_entropy', a);
  return withExpandedWeight('binary_cross_entropy', weight, input, (w) => wrap(k.k_bce(input.handle, target.handle, w, reduction)));
}

export function binary_cross_entropy_with_logits(...args) {
  const call = 'binary_cross_entropy_with_logits';
  const a = bind(call, args, [['input'], ['target'], ['weight', null], ['size_average', null],
    ['reduce', null], ['reduction', 'mean'], ['pos_weight', null]]);
  const input = tensorArg(call, 'input', a.input);
  const target = tensorArg(call, 'target', a.target);
  const weight = tensorArg(call, 'weight', a.weight, { optional: true });
  const given = tensorArg(call, 'pos_weight', a.pos_weight, { optional: true });
  const reduction = reductionCode(call, a);
  // an integer pos_weight is promoted to float, as PyTorch's arithmetic does
  const posWeight = given && given.dtype !== 'float32' ? given.float() : given;
  try {
    return withExpandedWeight(call, weight, input, (w) =>
      wrap(k.k_bce_with_logits(input.handle, target.handle, w, handleOf(posWeight), reduction)));
  } finally {
    if (posWeight !== given) posWeight.dispose();
  }
}

export function kl_div(...args) {
  const a = bind('kl_div', args, [['input'], ['target'], ['size_average', null], ['reduce', null],
    ['reduction', 'mean'], ['log_target', false]]);
  const input = tensorArg('kl_div', 'input', a.input);
  const target = tensorArg('kl_div', 'target', a.target);
  return wrap(k.k_kl_div(input.handle, target.handle, reductionCode('kl_div', a, { batchmean: true }), a.log_target ? 1 : 0));
}

/** A loss module: keeps its arguments, validates them once, and calls its function. */
function lossModule(name, fn, spec, repr = () => '') {
  const cls = class extends Module {
    constructor(...args) {
      super();
      const a = bind(name, args, spec);
      for (const [key, value] of Object.entries(a)) {
        if (value instanceof Tensor) this.register_buffer(key, value);
        else this[key] = value;
      }
      if (a.reduction !== undefined) reductionCode(name, a, { batchmean: name === 'KLDivLoss' });
      if (a.size_average !== null || a.reduce !== null) {
        this.reduction = ['none', 'mean', 'sum'][reductionCode(name, a)];
      }
      delete this.size_average;
      delete this.reduce;
    }
    forward(input, target) {
      const options = {};
      for (const [key] of spec) if (key !== 'size_average' && key !== 'reduce') options[key] = this[key];
      return fn(input, target, options);
    }
    extra_repr() { return repr(this); }
  };
  Object.defineProperty(cls, 'name', { value: name });
  signatures(cls, [`${name}.forward(input, target)`, `${name}.extra_repr()`]);
  return cls;
}

const legacy = [['size_average', null], ['reduce', null]];
export const CrossEntropyLoss = lossModule('CrossEntropyLoss', cross_entropy,
  [['weight', null], legacy[0], ['ignore_index', -100], legacy[1], ['reduction', 'mean'], ['label_smoothing', 0.0]]);
export const NLLLoss = lossModule('NLLLoss', nll_loss, [['weight', null], legacy[0], ['ignore_index', -100], legacy[1], ['reduction', 'mean']]);
export const L1Loss = lossModule('L1Loss', l1_loss, [...legacy, ['reduction', 'mean']]);
export const MSELoss = lossModule('MSELoss', mse_loss, [...legacy, ['reduction', 'mean']]);
export const SmoothL1Loss = lossModule('SmoothL1Loss', smooth_l1_loss, [...legacy, ['reduction', 'mean'], ['beta', 1.0]]);
export const HuberLoss = lossModule('HuberLoss', huber_loss, [['reduction', 'mean'], ['delta', 1.0]]);
export const BCELoss = lossModule('BCELoss', binary_cross_entropy, [['weight', null], ...legacy, ['reduction', 'mean']]);
export const BCEWithLogitsLoss = lossModule('BCEWithLogitsLoss', binary_cross_entropy_with_logits,
  [['weight', null], ...legacy, ['reduction', 'mean'], ['pos_weight', null]]);
export const KLDivLoss = lossModule('KLDivLoss', kl_div, [...legacy, ['reduction', 'mean'], ['log_target', false]]);
