// nn/functional.js: torch.nn.functional (also exported as F) — the layers as functions.
// Argument names, order and defaults are PyTorch's; (C, H, W) input to the 2-D layers is
// treated as a batch of one, as PyTorch does.
import { bind, pair } from '../args.js';
import { k, scratch, writeInts } from '../core.js';
import { checkInt, showValue, typeError } from '../errors.js';
import { Tensor, wrap } from '../tensor.js';
import { unary, where as torchWhere } from '../math.js';

const UN = { leaky_relu: 8, elu: 10, gelu: 11, gelu_tanh: 12 };

function tensorArg(call, name, value, { optional = false } = {}) {
  if (optional && (value === null || value === undefined)) return null;
  if (!(value instanceof Tensor)) throw typeError(call, `a Tensor for ${name}`, value);
  return value;
}

const handleOf = (t) => (t ? t.handle : 0);

/**
 * Runs a 4-D op on (C, H, W) input by adding and removing the batch dimension. The batched
 * view and the batched result are intermediates: released here (also when the op fails),
 * so that a failed call leaves nothing behind even before the first step event, when
 * intermediates would be kept (memory.js). A graph keeps its own references in the core.
 */
function batched(call, input, run) {
  tensorArg(call, 'input', input);
  if (input.ndim === 3) {
    const x = input.unsqueeze(0);
    try {
      const y = run(x);
      try {
        return y.squeeze(0);
      } finally {
        y.dispose();
      }
    } finally {
      x.dispose();
    }
  }
  if (input.ndim !== 4)
    throw new RangeError(`${call}: expected 3D (unbatched) or 4D (batched) input, but got input of size: [${input.shape.join(', ')}]`);
  return run(input);
}

/** Resolves conv padding (int, pair, 'valid', 'same') to [top, left, bottom, right]. */
function convPadding(call, padding, kernel, dilation, stride) {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1)
      throw new Error(`${call}: padding='same' is not supported for strided convolutions`);
    const total = [0, 1].map((i) => dilation[i] * (kernel[i] - 1));
    const before = total.map((t) => Math.floor(t / 2));
    return [before[0], before[1], total[0] - before[0], total[1] - before[1]];
  }
  if (typeof padding === 'string') throw new TypeError(`${call}: invalid padding string '${padding}', should be one of {'valid', 'same'}`);
  const [ph, pw] = pair(call, 'padding', padding);
  if (ph < 0 || pw < 0) throw new RangeError(`${call}: negative padding is not supported, got ${JSON.stringify(padding)}`);
  return [ph, pw, ph, pw];
}

export function conv2d(...args) {
  const a = bind('conv2d', args, [['input'], ['weight'], ['bias', null], ['stride', 1], ['padding', 0], ['dilation', 1], ['groups', 1]]);
  const weight = tensorArg('conv2d', 'weight', a.weight);
  const bias = tensorArg('conv2d', 'bias', a.bias, { optional: true });
  const stride = pair('conv2d', 'stride', a.stride);
  if (stride[0] < 1 || stride[1] < 1) throw new RangeError(`conv2d: non-positive stride is not supported, got ${JSON.stringify(a.stride)}`);
  const dilation = pair('conv2d', 'dilation', a.dilation);
  if (dilation[0] < 1 || dilation[1] < 1) throw new RangeError(`conv2d: dilation should be greater than zero, got ${JSON.stringify(a.dilation)}`);
  checkInt('conv2d', 'groups', a.groups, { min: 1 });
  const kernel = weight.ndim === 4 ? weight.shape.slice(2) : [1, 1];
  const padding = convPadding('conv2d', a.padding, kernel, dilation, stride);
  return batched('conv2d', a.input, (x) =>
    wrap(k.k_conv2d(x.handle, weight.handle, handleOf(bias), writeInts('conv2d', [...stride, ...padding, ...dilation, a.groups]))));
}

export function linear(...args) {
  const a = bind('linear', args, [['input'], ['weight'], ['bias', null]]);
  const input = tensorArg('linear', 'input', a.input);
  const weight = tensorArg('linear', 'weight', a.weight);
  const bias = tensorArg('linear', 'bias', a.bias, { optional: true });
  return wrap(k.k_linear(input.handle, weight.handle, handleOf(bias)));
}

function poolArgs(call, a) {
  const kernel = pair(call, 'kernel_size', a.kernel_size);
  const stride = a.stride === null || a.stride === undefined || (Array.isArray(a.stride) && !a.stride.length)
    ? kernel : pair(call, 'stride', a.stride);
  const padding = pair(call, 'padding', a.padding);
  if (kernel[0] < 1 || kernel[1] < 1) throw new RangeError(`${call}: kernel_size must be greater than zero, got ${JSON.stringify(a.kernel_size)}`);
  if (stride[0] < 1 || stride[1] < 1) throw new RangeError(`${call}: stride must be greater than zero, got ${JSON.stringify(a.stride)}`);
  if (padding[0] < 0 || padding[1] < 0 || padding[0] > kernel[0] / 2 || padding[1] > kernel[1] / 2)
    throw new RangeError(`${call}: pad should be at most half of effective kernel size, but got pad=${JSON.stringify(a.padding)} and kernel_size=${JSON.stringify(a.kernel_size)}`);
  return [kernel, stride, padding];
}

export function max_pool2d(...args) {
  const a = bind('max_pool2d', args, [['input'], ['kernel_size'], ['stride', null], ['padding', 0], ['dilation', 1], ['ceil_mode', false], ['return_indices', false]]);
  const [kernel, stride, padding] = poolArgs('max_pool2d', a);
  const dilation = pair('max_pool2d', 'dilation', a.dilation, { min: 1 });
  let indices = null;
  const out = batched('max_pool2d', a.input, (x) => {
    const y = k.k_max_pool2d(x.handle, writeInts('max_pool2d', [...kernel, ...stride, ...padding, ...dilation, a.ceil_mode ? 1 : 0, a.return_indices ? 1 : 0]));
    if (y > 0 && a.return_indices) indices = wrap(scratch()[0]); // read before wrap(y) reuses the scratch buffer
    return wrap(y);
  });
  if (!a.return_indices) return out;
  if (a.input.ndim === 3) {
    const batchedIndices = indices;
    indices = batchedIndices.squeeze(0);
    batchedIndices.dispose();
  }
  return [out, indices];
}

export function avg_pool2d(...args) {
  const a = bind('avg_pool2d', args, [['input'], ['kernel_size'], ['stride', null], ['padding', 0], ['ceil_mode', false], ['count_include_pad', true], ['divisor_override', null]]);
  const [kernel, stride, padding] = poolArgs('avg_pool2d', a);
  const divisor = a.divisor_override ?? 0;
  if (a.divisor_override !== null && (!Number.isInteger(divisor) || divisor === 0))
    throw new RangeError(`avg_pool2d: divisor must be not zero, got ${a.divisor_override}`);
  return batched('avg_pool2d', a.input, (x) =>
    wrap(k.k_avg_pool2d(x.handle, writeInts('avg_pool2d', [...kernel, ...stride, ...padding, a.ceil_mode ? 1 : 0, a.count_include_pad ? 1 : 0, divisor]))));
}

export function adaptive_avg_pool2d(...args) {
  const a = bind('adaptive_avg_pool2d', args, [['input'], ['output_size']]);
  const input = tensorArg('adaptive_avg_pool2d', 'input', a.input);
  const size = typeof a.output_size === 'number' ? [a.output_size, a.output_size] : a.output_size;
  if (!Array.isArray(size) || size.length !== 2) throw typeError('adaptive_avg_pool2d', 'an int or a pair for output_size', a.output_size);
  const [oh, ow] = size.map((s, i) => (s === null ? input.shape[input.ndim - 2 + i] : s));
  for (const s of [oh, ow]) {
    if (typeof s !== 'number' || !Number.isInteger(s)) throw typeError('adaptive_avg_pool2d', 'an int or a pair of ints for output_size', a.output_size);
    if (s < 1) throw new RangeError(`adaptive_avg_pool2d: output_size must be positive integers, got ${showValue(a.output_size)}`);
    checkInt('adaptive_avg_pool2d', 'output_size', s); // beyond int32 would wrap in the core
  }
  return batched('adaptive_avg_pool2d', input, (x) => wrap(k.k_adaptive_avg_pool2d(x.handle, oh, ow)));
}

export function batch_norm(...args) {
  const a = bind('batch_norm', args, [['input'], ['running_mean'], ['running_var'], ['weight', null], ['bias', null], ['training', false], ['momentum', 0.1], ['eps', 1e-5]]);
  const input = tensorArg('batch_norm', 'input', a.input);
  const opt = (name) => tensorArg('batch_norm', name, a[name], { optional: true });
  if (typeof a.momentum !== 'number') throw typeError('batch_norm', 'a number for momentum', a.momentum);
  return wrap(k.k_batch_norm(input.handle, handleOf(opt('running_mean')), handleOf(opt('running_var')),
    handleOf(opt('weight')), handleOf(opt('bias')), a.training ? 1 : 0, a.momentum, a.eps));
}

/**
 * inplace=true as PyTorch's: the input is overwritten with the result and returned. kindling
 * does so when the input carries no autograd state; when it requires grad, the result is a
 * new tensor and the input keeps its values (kindling has no version counter to guard a
 * value saved for backward against the write). Values and gradients are PyTorch's either way.
 */
function inplaceResult(call, input, out, inplace) {
  if (typeof inplace !== 'boolean') throw typeError(call, 'a boolean for inplace', inplace);
  if (!inplace || input.requires_grad) return out;
  input.copy_(out);
  out.dispose();
  return input;
}

let warnedDropout2d = false;
function dropoutImpl(call, args, channelWise) {
  const a = bind(call, args, [['input'], ['p', 0.5], ['training', true], ['inplace', false]]);
  const input = tensorArg(call, 'input', a.input);
  if (typeof a.p !== 'number') throw typeError(call, 'a number for p', a.p);
  if (!(a.p >= 0 && a.p <= 1))
    throw new RangeError(`${call}: dropout probability has to be between 0 and 1, but got ${a.p}`);
  if (typeof a.inplace !== 'boolean') throw typeError(call, 'a boolean for inplace', a.inplace);
  if (!a.training || a.p === 0) return a.inplace ? input : input.clone();
  if (channelWise && input.ndim === 3 && !warnedDropout2d) {
    warnedDropout2d = true; // PyTorch 1.13 reads 3-D input as (N, C, L) and says so
    console.warn('UserWarning: dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout ' +
      'behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will ' +
      'change in a future release to interpret the input as one without a batch dimension, i.e. shape (C, H, W). To ' +
      'maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.');
  }
  return inplaceResult(call, input, wrap(k.k_dropout(input.handle, a.p, channelWise ? 1 : 0)), a.inplace);
}
export const dropout = (...args) => dropoutImpl('dropout', args, false);
export const dropout2d = (...args) => dropoutImpl('dropout2d', args, true);

export function relu(...args) {
  const a = bind('relu', args, [['input'], ['inplace', false]]);
  const input = tensorArg('relu', 'input', a.input);
  return inplaceResult('relu', input, input.relu(), a.inplace);
}
export function sigmoid(...args) { return tensorArg('sigmoid', 'input', bind('sigmoid', args, [['input']]).input).sigmoid(); }
export function tanh(...args) { return tensorArg('tanh', 'input', bind('tanh', args, [['input']]).input).tanh(); }
export function leaky_relu(...args) {
  const a = bind('leaky_relu', args, [['input'], ['negative_slope', 0.01], ['inplace', false]]);
  if (typeof a.negative_slope !== 'number') throw typeError('leaky_relu', 'a number for negative_slope', a.negative_slope);
  const input = tensorArg('leaky_relu', 'input', a.input);
  return inplaceResult('leaky_relu', input, wrap(k.k_unary(UN.leaky_relu, input.handle, a.negative_slope)), a.inplace);
}
export function elu(...args) {
  const a = bind('elu', args, [['input'], ['alpha', 1.0], ['inplace', false]]);
  if (typeof a.alpha !== 'number') throw typeError('elu', 'a number for alpha', a.alpha);
  const input = tensorArg('elu', 'input', a.input);
  return inplaceResult('elu', input, wrap(k.k_unary(UN.elu, input.handle, a.alpha)), a.inplace);
}
export function gelu(...args) {
  const a = bind('gelu', args, [['input'], ['approximate', 'none']]);
  if (a.approximate !== 'none' && a.approximate !== 'tanh')
    throw new TypeError(`gelu: approximate must be 'none' or 'tanh', got ${JSON.stringify(a.approximate)}`);
  return wrap(k.k_unary(a.approximate === 'tanh' ? UN.gelu_tanh : UN.gelu, tensorArg('gelu', 'input', a.input).handle, 0));
}
export function silu(...args) {
  const a = bind('silu', args, [['input'], ['inplace', false]]);
  if (a.inplace !== false) throw new TypeError('silu: inplace=True is not supported');
  return unary('silu', tensorArg('silu', 'input', a.input));
}
/** softplus(x) = log(1 + exp(beta x)) / beta, linear above threshold (one kernel for the defaults). */
export function softplus(...args) {
  const a = bind('softplus', args, [['input'], ['beta', 1], ['threshold', 20]]);
  const x = tensorArg('softplus', 'input', a.input);
  for (const name of ['beta', 'threshold'])
    if (typeof a[name] !== 'number') throw typeError('softplus', `a number for ${name}`, a[name]);
  if (a.beta === 1 && a.threshold === 20) return unary('softplus', x);
  const bx = x.mul(a.beta);
  return torchWhere(bx.gt(a.threshold), x, bx.exp().log1p().div(a.beta));
}

const warnedImplicitDim = new Set();
/** PyTorch's legacy implicit softmax dim (0 for 0-, 1- and 3-D input, else 1), warned once. */
function softmaxDim(call, input, dim) {
  if (dim !== null && dim !== undefined) return dim;
  const chosen = [0, 1, 3].includes(input.ndim) ? 0 : 1;
  if (!warnedImplicitDim.has(call)) {
    warnedImplicitDim.add(call);
    console.warn(`UserWarning: Implicit dimension choice for ${call} has been deprecated. Change the call to include dim=X as an argument.`);
  }
  return chosen;
}
export function softmax(...args) {
  const a = bind('softmax', args, [['input'], ['dim', null]]);
  const input = tensorArg('softmax', 'input', a.input);
  return input.softmax(softmaxDim('softmax', input, a.dim));
}
export function log_softmax(...args) {
  const a = bind('log_softmax', args, [['input'], ['dim', null]]);
  const input = tensorArg('log_softmax', 'input', a.input);
  return input.log_softmax(softmaxDim('log_softmax', input, a.dim));
}
export { softmaxDim as _get_softmax_dim };
export function flatten(...args) {
  const a = bind('flatten', args, [['input'], ['start_dim', 0], ['end_dim', -1]]);
  return tensorArg('flatten', 'input', a.input).flatten(a.start_dim, a.end_dim);
}
export {
  cross_entropy, nll_loss, l1_loss, mse_loss, smooth_l1_loss, huber_loss, binary_cross_entropy,
  binary_cross_entropy_with_logits, kl_div,
} from './loss.js';
