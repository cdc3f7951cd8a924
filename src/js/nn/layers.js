// nn/layers.js: the layer modules of torch.nn. Each keeps PyTorch's constructor arguments,
// initialisation (in PyTorch's order, from the seeded generator), forward and repr.
import { bind, pair, pyFloat, pyRepr, signatures } from '../args.js';

/** Python's str() of a number the user gave: 0.01 stays 0.01, 1.0 prints as 1.0. */
const pyNumber = (v) => (Number.isInteger(v) ? `${v}.0` : pyFloat(v));
import { empty, full, ones, zeros } from '../creation.js';
import { checkDevice } from '../device.js';
import { dtypeCode } from '../dtype.js';
import { checkInt, typeError } from '../errors.js';
import * as F from './functional.js';
import * as init from './init.js';
import { Module, Parameter } from './module.js';
import { Tensor } from '../tensor.js';

const positiveInt = (call, name, v) => checkInt(call, name, v, { min: 1 });

/** PyTorch's factory_kwargs (device, dtype): parameters are float32 on the CPU; others are refused. */
function factoryKwargs(name, a) {
  if (a.device !== null && a.device !== undefined) checkDevice(name, a.device);
  if (a.dtype !== null && a.dtype !== undefined && dtypeCode(name, a.dtype) !== 0)
    throw new TypeError(`${name}: kindling's parameters are float32, got dtype ${JSON.stringify(a.dtype)}`);
}

/** A Parameter of the given shape; the factory's own wrapper is let go at once (the
 * Parameter shares its storage), so constructing layers leaves nothing for the GC. */
function newParameter(factory, shape) {
  const data = factory(shape);
  try {
    return new Parameter(data);
  } finally {
    data.dispose();
  }
}

/** Shared by Conv2d and Linear: PyTorch's reset_parameters. */
function resetWeightAndBias(weight, bias) {
  init.kaiming_uniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const [fanIn] = init._calculate_fan_in_and_fan_out(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    init.uniform_(bias, -bound, bound);
  }
}

export class Conv2d extends Module {
  constructor(...args) {
    super();
    const a = bind('Conv2d', args, [['in_channels'], ['out_channels'], ['kernel_size'], ['stride', 1], ['padding', 0],
      ['dilation', 1], ['groups', 1], ['bias', true], ['padding_mode', 'zeros'], ['device', null], ['dtype', null]]);
    factoryKwargs('Conv2d', a);
    this.in_channels = positiveInt('Conv2d', 'in_channels', a.in_channels);
    this.out_channels = positiveInt('Conv2d', 'out_channels', a.out_channels);
    this.kernel_size = pair('Conv2d', 'kernel_size', a.kernel_size, { min: 1 });
    this.stride = pair('Conv2d', 'stride', a.stride, { min: 1 });
    this.padding = typeof a.padding === 'string' ? a.padding : pair('Conv2d', 'padding', a.padding, { min: 0 });
    if (typeof this.padding === 'string' && !['same', 'valid'].includes(this.padding))
      throw new TypeError(`Conv2d: invalid padding string '${a.padding}', should be one of {'valid', 'same'}`);
    if (this.padding === 'same' && this.stride.some((s) => s !== 1))
      throw new Error("Conv2d: padding='same' is not supported for strided convolutions");
    this.dilation = pair('Conv2d', 'dilation', a.dilation, { min: 1 });
    this.groups = positiveInt('Conv2d', 'groups', a.groups);
    if (this.in_channels % this.groups) throw new RangeError(`Conv2d: in_channels must be divisible by groups (${this.in_channels} % ${this.groups} != 0)`);
    if (this.out_channels % this.groups) throw new RangeError(`Conv2d: out_channels must be divisible by groups (${this.out_channels} % ${this.groups} != 0)`);
    if (a.padding_mode !== 'zeros') throw new TypeError(`Conv2d: padding_mode '${a.padding_mode}' is not supported (only 'zeros')`);
    this.padding_mode = a.padding_mode;
    this.weight = newParameter(empty, [this.out_channels, this.in_channels / this.groups, ...this.kernel_size]);
    this.bias = a.bias ? newParameter(empty, [this.out_channels]) : null;
    this.reset_parameters();
  }
  reset_parameters() { resetWeightAndBias(this.weight, this.bias); }
  forward(input) {
    return F.conv2d(input, this.weight, this.bias, this.stride, this.padding, this.dilation, this.groups);
  }
  extra_repr() {
    let s = `${this.in_channels}, ${this.out_channels}, kernel_size=${pyRepr(this.kernel_size)}, stride=${pyRepr(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`; // PyTorch prints it unquoted
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyRepr(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyRepr(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ', bias=False';
    return s;
  }
}

export class Linear extends Module {
  constructor(...args) {
    super();
    const a = bind('Linear', args, [['in_features'], ['out_features'], ['bias', true], ['device', null], ['dtype', null]]);
    factoryKwargs('Linear', a);
    this.in_features = checkInt('Linear', 'in_features', a.in_features, { min: 0 });
    this.out_features = checkInt('Linear', 'out_features', a.out_features, { min: 0 });
    this.weight = newParameter(empty, [this.out_features, this.in_features]);
    this.bias = a.bias ? newParameter(empty, [this.out_features]) : null;
    this.reset_parameters();
  }
  reset_parameters() { resetWeightAndBias(this.weight, this.bias); }
  forward(input) { return F.linear(input, this.weight, this.bias); }
  extra_repr() { return `in_features=${this.in_features}, out_features=${this.out_features}, bias=${pyRepr(Boolean(this.bias))}`; }
}

export class Identity extends Module {
  constructor() { super(); }
  forward(input) { return input; }
}

function activation(name, fn, spec = [], repr = () => '', { inplace = true } = {}) {
  const cls = class extends Module {
    constructor(...args) {
      super();
      Object.assign(this, bind(name, args, inplace ? [...spec, ['inplace', false]] : spec));
      for (const [key] of spec)
        if (typeof this[key] !== 'number') throw typeError(name, `a number for ${key}`, this[key]);
    }
    forward(input) { return fn(this, input); }
    extra_repr() {
      const own = repr(this);
      const flag = this.inplace ? 'inplace=True' : '';
      return own && flag ? `${own}, ${flag}` : own || flag;
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

export const ReLU = activation('ReLU', (m, x) => F.relu(x, m.inplace));
export const Sigmoid = activation('Sigmoid', (m, x) => F.sigmoid(x), [], () => '', { inplace: false });
export const Tanh = activation('Tanh', (m, x) => F.tanh(x), [], () => '', { inplace: false });
export const LeakyReLU = activation('LeakyReLU', (m, x) => F.leaky_relu(x, m.negative_slope, m.inplace),
  [['negative_slope', 0.01]], (m) => `negative_slope=${pyNumber(m.negative_slope)}`);
export const ELU = activation('ELU', (m, x) => F.elu(x, m.alpha, m.inplace), [['alpha', 1.0]], (m) => `alpha=${pyNumber(m.alpha)}`);

export class GELU extends Module {
  constructor(...args) {
    super();
    this.approximate = bind('GELU', args, [['approximate', 'none']]).approximate;
  }
  forward(input) { return F.gelu(input, { approximate: this.approximate }); }
  extra_repr() { return `approximate='${this.approximate}'`; }
}

class SoftmaxBase extends Module {
  constructor(name, args) {
    super();
    this.dim = bind(name, args, [['dim', null]]).dim;
  }
  extra_repr() { return `dim=${pyRepr(this.dim)}`; }
}
export class Softmax extends SoftmaxBase {
  constructor(...args) { super('Softmax', args); }
  forward(input) { return F.softmax(input, this.dim); }
}
export class LogSoftmax extends SoftmaxBase {
  constructor(...args) { super('LogSoftmax', args); }
  forward(input) { return F.log_softmax(input, this.dim); }
}

export class MaxPool2d extends Module {
  constructor(...args) {
    super();
    Object.assign(this, bind('MaxPool2d', args, [['kernel_size'], ['stride', null], ['padding', 0], ['dilation', 1],
      ['return_indices', false], ['ceil_mode', false]]));
    if (this.stride === null) this.stride = this.kernel_size;
  }
  forward(input) {
    return F.max_pool2d(input, this.kernel_size, this.stride, this.padding, this.dilation, this.ceil_mode, this.return_indices);
  }
  extra_repr() {
    return `kernel_size=${pyRepr(this.kernel_size)}, stride=${pyRepr(this.stride)}, padding=${pyRepr(this.padding)}, ` +
      `dilation=${pyRepr(this.dilation)}, ceil_mode=${pyRepr(this.ceil_mode)}`;
  }
}

export class AvgPool2d extends Module {
  constructor(...args) {
    super();
    Object.assign(this, bind('AvgPool2d', args, [['kernel_size'], ['stride', null], ['padding', 0], ['ceil_mode', false],
      ['count_include_pad', true], ['divisor_override', null]]));
    if (this.stride === null) this.stride = this.kernel_size;
  }
  forward(input) {
    return F.avg_pool2d(input, this.kernel_size, this.stride, this.padding, this.ceil_mode, this.count_include_pad, this.divisor_override);
  }
  extra_repr() { return `kernel_size=${pyRepr(this.kernel_size)}, stride=${pyRepr(this.stride)}, padding=${pyRepr(this.padding)}`; }
}

export class AdaptiveAvgPool2d extends Module {
  constructor(...args) {
    super();
    this.output_size = bind('AdaptiveAvgPool2d', args, [['output_size']]).output_size;
  }
  forward(input) { return F.adaptive_avg_pool2d(input, this.output_size); }
  extra_repr() { return `output_size=${pyRepr(this.output_size)}`; }
}

class BatchNorm extends Module {
  constructor(name, args) {
    super();
    const a = bind(name, args, [['num_features'], ['eps', 1e-5], ['momentum', 0.1], ['affine', true],
      ['track_running_stats', true], ['device', null], ['dtype', null]]);
    factoryKwargs(name, a);
    this.num_features = positiveInt(name, 'num_features', a.num_features);
    if (typeof a.eps !== 'number' || !(a.eps > 0)) throw new RangeError(`${name}: eps must be a positive number, got ${a.eps}`);
    if (a.momentum !== null && typeof a.momentum !== 'number') throw typeError(name, 'a number or null for momentum', a.momentum);
    this.eps = a.eps;
    this.momentum = a.momentum;
    this.affine = a.affine;
    this.track_running_stats = a.track_running_stats;
    this.weight = a.affine ? newParameter(ones, [this.num_features]) : null;
    this.bias = a.affine ? newParameter(zeros, [this.num_features]) : null;
    if (a.track_running_stats) {
      this.register_buffer('running_mean', zeros([this.num_features]));
      this.register_buffer('running_var', ones([this.num_features]));
      this.register_buffer('num_batches_tracked', full([], 0, { dtype: 'int64' }));
    }
  }
  _checkInput(input) {}
  forward(input) {
    // Everything F.batch_norm would refuse is checked before num_batches_tracked moves, and
    // the count is put back if the call fails anyway (out of memory), so that a failed
    // forward leaves the module as it was.
    if (!(input instanceof Tensor)) throw typeError(this.constructor.name, 'a Tensor for input', input);
    this._checkInput(input);
    // the core's own checks and words (src/nn/batch_norm.c), made before anything moves
    if (input.dtype !== 'float32') throw new TypeError('batch_norm: expected a float32 input');
    const perChannel = this.track_running_stats ? 'running_mean' : this.affine ? 'weight' : null;
    if (perChannel && input.shape[1] !== this.num_features)
      throw new Error(`batch_norm: expected ${perChannel} to be a float32 tensor of shape [${input.shape[1]}], ` +
        `got [${this.num_features}]`);
    let factor = this.momentum ?? 0;
    let restore = null;
    if (this.training && this.track_running_stats) {
      const before = this.num_batches_tracked.item();
      const tracked = before + 1;
      this.num_batches_tracked.fill_(tracked);
      restore = () => this.num_batches_tracked.fill_(before);
      if (this.momentum === null) factor = 1 / tracked; // cumulative moving average
    }
    const useBatchStats = this.training || !this.track_running_stats;
    try {
      return F.batch_norm(input, this.track_running_stats ? this.running_mean : null,
        this.track_running_stats ? this.running_var : null, this.weight, this.bias, useBatchStats, factor, this.eps);
    } catch (error) {
      if (restore) restore();
      throw error;
    }
  }
  extra_repr() {
    return `${this.num_features}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? 'None' : pyFloat(this.momentum)}, ` +
      `affine=${pyRepr(this.affine)}, track_running_stats=${pyRepr(this.track_running_stats)}`;
  }
}

export class BatchNorm1d extends BatchNorm {
  constructor(...args) { super('BatchNorm1d', args); }
  _checkInput(input) {
    if (input.ndim !== 2 && input.ndim !== 3)
      throw new RangeError(`BatchNorm1d: expected 2D or 3D input (got ${input.ndim}D input)`);
  }
}
export class BatchNorm2d extends BatchNorm {
  constructor(...args) { super('BatchNorm2d', args); }
  _checkInput(input) {
    if (input.ndim !== 4) throw new RangeError(`BatchNorm2d: expected 4D input (got ${input.ndim}D input)`);
  }
}

class DropoutBase extends Module {
  constructor(name, args) {
    super();
    const a = bind(name, args, [['p', 0.5], ['inplace', false]]);
    if (typeof a.p !== 'number') throw typeError(name, 'a number for p', a.p);
    if (!(a.p >= 0 && a.p <= 1))
      throw new RangeError(`${name}: dropout probability has to be between 0 and 1, but got ${a.p}`);
    this.p = a.p;
    this.inplace = a.inplace;
  }
  extra_repr() { return `p=${pyFloat(this.p)}, inplace=${pyRepr(this.inplace)}`; }
}
export class Dropout extends DropoutBase {
  constructor(...args) { super('Dropout', args); }
  forward(input) { return F.dropout(input, this.p, this.training, this.inplace); }
}
export class Dropout2d extends DropoutBase {
  constructor(...args) { super('Dropout2d', args); }
  forward(input) { return F.dropout2d(input, this.p, this.training, this.inplace); }
}

export class Flatten extends Module {
  constructor(...args) {
    super();
    Object.assign(this, bind('Flatten', args, [['start_dim', 1], ['end_dim', -1]]));
  }
  forward(input) { return input.flatten(this.start_dim, this.end_dim); }
  extra_repr() { return `start_dim=${this.start_dim}, end_dim=${this.end_dim}`; }
}

export class Unflatten extends Module {
  constructor(...args) {
    super();
    Object.assign(this, bind('Unflatten', args, [['dim'], ['unflattened_size']]));
    if (!Array.isArray(this.unflattened_size)) throw typeError('Unflatten', 'an array for unflattened_size', this.unflattened_size);
  }
  forward(input) {
    const shape = input.shape;
    const d = this.dim < 0 ? this.dim + shape.length : this.dim;
    shape.splice(d, 1, ...this.unflattened_size);
    return input.reshape(shape);
  }
  extra_repr() { return `dim=${this.dim}, unflattened_size=${pyRepr(this.unflattened_size)}`; }
}

// The methods' signatures: an options object given to forward() or extra_repr() is checked
// like any other (args.js, signatures). Identity stays argument-insensitive, as PyTorch's.
for (const cls of [Conv2d, Linear, ReLU, Sigmoid, Tanh, LeakyReLU, ELU, GELU, Softmax, LogSoftmax, MaxPool2d, AvgPool2d,
  AdaptiveAvgPool2d, BatchNorm, Dropout, Dropout2d, Flatten, Unflatten]) {
  const own = (name) => Object.hasOwn(cls.prototype, name);
  signatures(cls, [own('forward') && `${cls.name}.forward(input)`, own('extra_repr') && `${cls.name}.extra_repr()`,
    own('reset_parameters') && `${cls.name}.reset_parameters()`].filter(Boolean));
}
signatures(DropoutBase, ['extra_repr()']);
signatures(SoftmaxBase, ['extra_repr()']);
