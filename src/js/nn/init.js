// nn/init.js: torch.nn.init — in-place initialisers drawing from the seeded generator,
// with PyTorch's formulas and call order, so that the same seed gives PyTorch's weights.
import { k } from '../core.js';
import { bind, strict } from '../args.js';
import { typeError } from '../errors.js';
import { Tensor } from '../tensor.js';

function withoutGrad(fn) {
  const before = k.k_grad_enabled();
  k.k_set_grad_enabled(0);
  try {
    return fn();
  } finally {
    k.k_set_grad_enabled(before);
  }
}

function tensorArg(call, t) {
  if (!(t instanceof Tensor)) throw typeError(call, 'a Tensor', t);
  return t;
}

export const calculate_gain = strict('calculate_gain(nonlinearity, param=null)', (nonlinearity, param = null) => {
  const linear = ['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'sigmoid'];
  if (linear.includes(nonlinearity)) return 1;
  if (nonlinearity === 'tanh') return 5.0 / 3;
  if (nonlinearity === 'relu') return Math.sqrt(2.0);
  if (nonlinearity === 'leaky_relu') {
    const slope = param === null || param === undefined ? 0.01 : param;
    if (typeof slope !== 'number') throw new TypeError(`calculate_gain: negative_slope ${slope} not a valid number`);
    return Math.sqrt(2.0 / (1 + slope ** 2));
  }
  if (nonlinearity === 'selu') return 3.0 / 4;
  throw new Error(`calculate_gain: unsupported nonlinearity ${nonlinearity}`);
});

export function _calculate_fan_in_and_fan_out(tensor) {
  const shape = tensorArg('_calculate_fan_in_and_fan_out', tensor).shape;
  if (shape.length < 2)
    throw new Error('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return [shape[1] * receptive, shape[0] * receptive];
}

function fanFor(call, tensor, mode) {
  if (mode !== 'fan_in' && mode !== 'fan_out') throw new Error(`${call}: mode ${mode} not supported, please use one of fan_in, fan_out`);
  const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(tensor);
  return mode === 'fan_in' ? fanIn : fanOut;
}

export function uniform_(...args) {
  const a = bind('uniform_', args, [['tensor'], ['a', 0], ['b', 1]]);
  return withoutGrad(() => tensorArg('uniform_', a.tensor).uniform_(a.a, a.b));
}
export function normal_(...args) {
  const a = bind('normal_', args, [['tensor'], ['mean', 0], ['std', 1]]);
  return withoutGrad(() => tensorArg('normal_', a.tensor).normal_(a.mean, a.std));
}
export const constant_ = strict('constant_(tensor, val)', (tensor, val) => withoutGrad(() => tensorArg('constant_', tensor).fill_(val)));
export const zeros_ = strict('zeros_(tensor)', (tensor) => constant_(tensor, 0));
export const ones_ = strict('ones_(tensor)', (tensor) => constant_(tensor, 1));

export function xavier_uniform_(...args) {
  const a = bind('xavier_uniform_', args, [['tensor'], ['gain', 1]]);
  const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(a.tensor);
  const std = a.gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const bound = Math.sqrt(3.0) * std;
  return withoutGrad(() => a.tensor.uniform_(-bound, bound));
}
export function xavier_normal_(...args) {
  const a = bind('xavier_normal_', args, [['tensor'], ['gain', 1]]);
  const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(a.tensor);
  const std = a.gain * Math.sqrt(2.0 / (fanIn + fanOut));
  return withoutGrad(() => a.tensor.normal_(0, std));
}
export function kaiming_uniform_(...args) {
  const a = bind('kaiming_uniform_', args, [['tensor'], ['a', 0], ['mode', 'fan_in'], ['nonlinearity', 'leaky_relu']]);
  const fan = fanFor('kaiming_uniform_', tensorArg('kaiming_uniform_', a.tensor), a.mode);
  const gain = calculate_gain(a.nonlinearity, a.a);
  const std = gain / Math.sqrt(fan);
  const bound = Math.sqrt(3.0) * std;
  return withoutGrad(() => a.tensor.uniform_(-bound, bound));
}
export function kaiming_normal_(...args) {
  const a = bind('kaiming_normal_', args, [['tensor'], ['a', 0], ['mode', 'fan_in'], ['nonlinearity', 'leaky_relu']]);
  const fan = fanFor('kaiming_normal_', tensorArg('kaiming_normal_', a.tensor), a.mode);
  const std = calculate_gain(a.nonlinearity, a.a) / Math.sqrt(fan);
  return withoutGrad(() => a.tensor.normal_(0, std));
}
