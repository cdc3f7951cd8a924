// device.js: torch.device, torch.cuda and the argument parsing of .to(), so that
// device-generic PyTorch code (`device = torch.cuda.is_available() ? 'cuda' : 'cpu'`,
// `model.to(device)`, `x.to(device)`) runs unchanged. kindling computes on the CPU (the wasm
// core) only: 'cpu' is accepted everywhere, any other device is a clear Error.
import { bindArgs } from './args.js';
import { DTYPES } from './dtype.js';
import { isOptions, parseOptions, showValue } from './errors.js';

const DTYPE_NAMES = new Set(['float', 'float32', 'long', 'int64', 'int', 'int32', 'bool']);
export const isDtypeName = (value) => typeof value === 'string' && DTYPE_NAMES.has(value);

// PyTorch's device types: any of them names a device (all but the CPU are unavailable here)
const DEVICE = /^(cpu|cuda|mps|xpu|xla|meta|hip|ipu|hpu|lazy|mtia|vulkan|opengl|opencl|ideep|mkldnn|ve|fpga|ort|privateuseone)(:\d+)?$/;
export const isDeviceName = (value) => typeof value === 'string' && DEVICE.test(value);

/** Throws for any device but the CPU; returns the device's type ('cpu'). */
export function checkDevice(call, spec) {
  let type = spec, index = null;
  if (spec instanceof device) ({ type, index } = spec);
  else if (isDeviceName(spec)) [type, index = null] = spec.split(':');
  else throw new TypeError(`${call}: expected a device ('cpu' or a torch.device), got ${showValue(spec)}`);
  if (type !== 'cpu')
    throw new Error(`${call}: device ${showValue(String(spec))} is not available: kindling runs on the CPU (its wasm core) ` +
      "only, and torch.cuda.is_available() is false; use 'cpu'");
  if (index !== null && index !== undefined && String(index) !== '0')
    throw new RangeError(`${call}: there is one CPU device (index 0), got ${showValue(String(spec))}`);
  return 'cpu';
}

/**
 * torch.device('cpu') / torch.device('cpu', 0), with or without `new`. It prints and
 * converts to 'cpu', so `${x.device}` and `x.device == 'cpu'` work as in Python.
 */
export function device(...args) {
  if (!new.target) return new device(...args);
  const [type, index] = bindArgs('torch.device(type, index=null)', args);
  const spec = index === undefined || index === null ? type : `${type}:${index}`;
  checkDevice('torch.device', spec);
  this.type = 'cpu';
  this.index = index ?? null;
  Object.freeze(this);
}
device.prototype.toString = function () { return this.index === null ? this.type : `${this.type}:${this.index}`; };
device.prototype[Symbol.toPrimitive] = function () { return this.toString(); };
device.prototype[Symbol.for('nodejs.util.inspect.custom')] = function () {
  return this.index === null ? `device(type='${this.type}')` : `device(type='${this.type}', index=${this.index})`;
};

export const CPU = new device('cpu');

/** torch.cuda: there is no GPU here. */
export const cuda = Object.freeze({
  is_available: () => false,
  device_count: () => 0,
});
/** torch.backends.mps.is_available() is false too (tutorials probe it after CUDA). */
export const backends = Object.freeze({ mps: Object.freeze({ is_available: () => false, is_built: () => false }) });

/**
 * The arguments of Tensor.to / Module.to: to(dtype), to(device), to(device, dtype),
 * to(tensor) (its dtype), each with a trailing {dtype, device, non_blocking, copy,
 * memory_format}. Returns {dtype: a dtype name or undefined, copy}.
 */
export function parseTo(call, args, Tensor) {
  let positional = args;
  let options = {};
  if (args.length && isOptions(args[args.length - 1])) {
    positional = args.slice(0, -1);
    options = args[args.length - 1];
  }
  const o = parseOptions(call, options, { dtype: undefined, device: undefined, non_blocking: false, copy: false, memory_format: undefined });
  if (positional.length > 2) throw new TypeError(`${call}: takes at most 2 positional arguments (device, dtype), got ${positional.length}`);
  let dtype = o.dtype;
  for (const value of positional) {
    if (value === undefined || value === null) continue;
    if (value instanceof Tensor) dtype = DTYPES[value._dtype];
    else if (isDtypeName(value)) dtype = value;
    else if (value instanceof device || isDeviceName(value)) checkDevice(call, value);
    else throw new TypeError(`${call}: expected a dtype ('float32', 'int64', 'bool'), a device ('cpu') or a Tensor, got ${showValue(value)}`);
  }
  if (o.device !== undefined && o.device !== null) checkDevice(call, o.device);
  if (dtype !== undefined && dtype !== null && !isDtypeName(dtype))
    throw new TypeError(`${call}: unsupported dtype ${showValue(dtype)}; kindling has 'float32', 'int64' and 'bool'`);
  if (o.memory_format !== undefined && o.memory_format !== null && o.memory_format !== 'preserve_format' && o.memory_format !== 'contiguous_format')
    throw new TypeError(`${call}: memory_format ${showValue(o.memory_format)} is not supported (tensors are contiguous)`);
  if (typeof o.copy !== 'boolean') throw new TypeError(`${call}: expected a boolean for copy, got ${showValue(o.copy)}`);
  return { dtype: dtype ?? undefined, copy: o.copy };
}
