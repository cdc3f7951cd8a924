// optim/optimizer.js: the Optimizer base — parameter groups, per-parameter state,
// zero_grad, step(closure), state_dict / load_state_dict — with PyTorch's checks. The
// update rules are fused C kernels (src/kernels/optim_update.c), one call per parameter.
import { bindArgs, pyRepr, signatures } from '../args.js';
import { check, intArrayHint, k } from '../core.js';
import { full } from '../creation.js';
import { isOptions, parseOptions, typeError } from '../errors.js';
import { enable_grad } from '../functions.js';
import { keep, release_later } from '../memory.js';
import { Tensor } from '../tensor.js';

export class Optimizer {
  constructor(params, defaults, ...extra) {
    if (extra.length) bindArgs(`${new.target.name}(params, defaults: any)`, [params, defaults, ...extra]);
    this.defaults = defaults;
    this.state = new Map(); // parameter -> its state object
    this.param_groups = [];
    this._step_count = 0;
    if (params instanceof Tensor) throw typeError(this.constructor.name, 'an iterable of Tensors or of parameter-group objects', params);
    const list = params && typeof params[Symbol.iterator] === 'function' ? [...params] : null;
    if (!list) throw typeError(this.constructor.name, 'an iterable of Tensors or of parameter-group objects', params);
    if (!list.length) throw new Error(`${this.constructor.name}: optimizer got an empty parameter list`);
    const groups = list[0] instanceof Tensor ? [{ params: list }] : list;
    for (const group of groups) this.add_param_group(group);
  }

  add_param_group(group) {
    const name = this.constructor.name;
    if (!isOptions(group) || !('params' in group)) throw typeError(`${name}.add_param_group`, 'an object with params', group);
    const params = group.params instanceof Tensor ? [group.params] : [...group.params];
    for (const p of params) {
      if (!(p instanceof Tensor)) throw typeError(name, 'Tensors as parameters', p);
      if (!p.is_leaf) throw new Error(`${name}: can't optimize a non-leaf Tensor`);
      if (p.dtype !== 'float32') throw new TypeError(`${name}: can only optimize float32 tensors, got ${p.dtype}${intArrayHint(p)}`);
    }
    if (new Set(params).size !== params.length || this.param_groups.some((g) => g.params.some((p) => params.includes(p))))
      throw new Error(`${name}: some parameters appear in more than one parameter group`);
    const { params: _, ...options } = group;
    const merged = { ...this.defaults, ...options };
    for (const [key, value] of Object.entries(merged))
      if (value === undefined) throw new Error(`${name}: parameter group didn't specify a value of required optimization parameter ${key}`);
    this._validate(merged);
    for (const p of params) keep(p);
    this.param_groups.push({ params, ...merged });
  }

  /** Checks a group's hyperparameters (subclasses add PyTorch's value checks). */
  _validate(group) {
    // PyTorch options kindling cannot honour are refused, never ignored (foreach and fused
    // are honoured: every update is one fused C kernel per parameter)
    if (group.differentiable === true)
      throw new Error(`${this.constructor.name}: differentiable=true (autograd through the optimizer step) is not supported by kindling`);
    if (group.capturable === true)
      throw new Error(`${this.constructor.name}: capturable=true (CUDA graph capture) is not supported: kindling runs on the CPU`);
    for (const [key, value] of Object.entries(group))
      if (typeof value === 'number' && Number.isNaN(value)) throw new RangeError(`${this.constructor.name}: ${key} is NaN`);
  }

  zero_grad(options) {
    const { set_to_none } = parseOptions(`${this.constructor.name}.zero_grad`, options, { set_to_none: true });
    for (const group of this.param_groups)
      for (const p of group.params) {
        if (set_to_none) p.grad = null;
        else if (p.grad) p.grad.zero_();
      }
  }

  /**
   * Runs closure (with grad enabled) first when given, then updates every parameter. A step
   * that fails leaves parameters and state as they were: everything is checked first, then
   * every missing state buffer is allocated (and, should one allocation fail, the ones just
   * made are freed again), and only then are the parameters updated.
   */
  step(closure) {
    const name = `${this.constructor.name}.step`;
    let loss;
    if (closure !== undefined) {
      if (typeof closure !== 'function') throw typeError(name, 'a closure function', closure);
      loss = enable_grad(closure);
    }
    const work = [];
    for (const group of this.param_groups) {
      this._validate(group);
      // param_groups are plain objects users may edit: params = null, params.push('x')
      if (!Array.isArray(group.params)) throw typeError(name, 'param_groups[i].params to be an array of Tensors', group.params);
      for (const p of group.params) {
        if (!(p instanceof Tensor)) throw typeError(name, 'only Tensors in param_groups[i].params', p);
        const grad = p.grad;
        if (!grad) continue;
        if (grad.shape.join() !== p.shape.join())
          throw new Error(`${name}: grad of shape [${grad.shape}] does not match the parameter's shape [${p.shape}]`);
        work.push([group, p]);
      }
    }
    const made = (this._made = new Set()); // buffers allocated by this step (see _filledLike)
    try {
      const fresh = new Map(); // parameter -> its new state, stored once everything is allocated
      const grown = []; // [state, its keys before _prepare] of states that existed
      try {
        for (const [group, p] of work) {
          let state = this.state.get(p) ?? fresh.get(p);
          if (!state) fresh.set(p, (state = this._initState(p, group)));
          else grown.push([state, new Set(Object.keys(state))]);
          this._prepare(p, state, group);
          // a released state buffer throws here, before any parameter moved
          for (const v of Object.values(state)) if (v instanceof Tensor) v.handle;
        }
      } catch (error) {
        for (const t of made) t.dispose();
        for (const [state, keys] of grown) for (const key of Object.keys(state)) if (!keys.has(key)) delete state[key];
        throw error;
      }
      for (const [p, state] of fresh) this.state.set(p, state);
      for (const [group, p] of work) check(this._update(p, this.state.get(p), group));
    } finally {
      this._made = null;
    }
    this._step_count++;
    return loss;
  }

  /** New state for p (subclasses): allocate buffers with _zerosLike / _filledLike only. */
  _initState() { return {}; }
  /** Adds buffers a group's options need that p's state lacks (amsgrad turned on later, ...). */
  _prepare() {}

  /**
   * A kept float32 buffer of p's shape filled with value: one kept tensor (zeros_like(p)
   * .detach() would make two, one of them unreachable until GC). Buffers made during a step
   * are recorded, so that a failed step can free them and _update can tell a new buffer.
   */
  _filledLike(p, value = 0) {
    const t = full(p.shape, value, { dtype: 'float32' });
    this._made?.add(t);
    return t;
  }
  _zerosLike(p) { return this._filledLike(p, 0); }
  /** True for a buffer allocated by the step in progress (PyTorch's "state was empty"). */
  _isNew(t) { return Boolean(this._made?.has(t)); }

  /** PyTorch's layout: {state: {index: {...}}, param_groups: [{...options, params: [indices]}]}. */
  state_dict() {
    const index = new Map();
    let next = 0;
    const param_groups = this.param_groups.map(({ params, ...options }) => ({
      ...options,
      params: params.map((p) => (index.has(p) ? index.get(p) : (index.set(p, next), next++))),
    }));
    const state = {};
    for (const [p, s] of this.state) if (index.has(p)) state[index.get(p)] = { ...s };
    return { state, param_groups };
  }

  load_state_dict(state_dict) {
    const name = `${this.constructor.name}.load_state_dict`;
    if (!state_dict || !Array.isArray(state_dict.param_groups)) throw typeError(name, 'an optimizer state_dict', state_dict);
    const saved = state_dict.param_groups;
    if (saved.length !== this.param_groups.length)
      throw new Error(`${name}: loaded state dict has a different number of parameter groups`);
    saved.forEach((group, i) => {
      if (!Array.isArray(group.params) || group.params.length !== this.param_groups[i].params.length)
        throw new Error(`${name}: loaded state dict contains a parameter group that doesn't match the size of optimizer's group`);
    });
    // Map saved ids to parameters, check every state tensor's shape, then apply.
    const byId = new Map();
    saved.forEach((group, i) => group.params.forEach((id, j) => byId.set(id, this.param_groups[i].params[j])));
    const state = state_dict.state ?? {};
    if (typeof state !== 'object') throw typeError(name, 'state to be an object of per-parameter states', state);
    // Check every entry before copying any, so that a bad entry leaves nothing behind.
    const entries = [];
    for (const [id, s] of Object.entries(state)) {
      const p = byId.get(Number(id));
      if (!p) continue;
      if (s === null || typeof s !== 'object' || Array.isArray(s))
        throw typeError(name, `the state of parameter ${id} to be an object`, s);
      for (const [key, value] of Object.entries(s)) {
        if (!(value instanceof Tensor)) continue;
        value.handle; // a released tensor throws now, not half-way through the copies
        if (key === 'step') {
          if (value.numel() !== 1) throw new Error(`${name}: state 'step' of parameter ${id} has ${value.numel()} elements, expected 1`);
        } else if (value.numel() !== p.numel()) {
          throw new Error(`${name}: state '${key}' of parameter ${id} has shape [${value.shape}], the parameter has [${p.shape}]`);
        }
      }
      entries.push([p, s]);
    }
    const incoming = new Map();
    const copies = [];
    try {
      for (const [p, s] of entries) {
        const copy = {};
        for (const [key, value] of Object.entries(s)) {
          if (value instanceof Tensor && key !== 'step') copies.push((copy[key] = copyState(value, p.shape)));
          else copy[key] = value instanceof Tensor ? value.item() : value;
        }
        incoming.set(p, copy);
      }
    } catch (error) {
      for (const t of copies) t.dispose(); // out of memory half-way: free what was made
      throw error;
    }
    for (const s of this.state.values()) for (const v of Object.values(s)) if (v instanceof Tensor) release_later(v);
    this.state = incoming;
    saved.forEach((group, i) => {
      const { params: _, ...options } = group;
      Object.assign(this.param_groups[i], options);
    });
  }

  toString() {
    const lines = [`${this.constructor.name} (`];
    this.param_groups.forEach((group, i) => {
      lines.push(`Parameter Group ${i}`);
      for (const key of Object.keys(group).filter((key) => key !== 'params').sort())
        lines.push(`    ${key}: ${pyRepr(group[key])}`);
    });
    lines.push(')');
    return lines.join('\n');
  }
}

/** A kept float32 copy of a saved state tensor in the parameter's shape; intermediates freed. */
function copyState(value, shape) {
  const view = value.detach();
  try {
    const flat = view.reshape(shape);
    try {
      return keep(value.dtype === 'float32' ? flat.clone() : flat.float());
    } finally {
      flat.dispose();
    }
  } finally {
    view.dispose();
  }
}

/** Parses an optimizer's options: positional lr, then PyTorch's keyword names. */
export function optimizerOptions(call, args, defaults) {
  const [first, second] = args;
  const positional = typeof first === 'number' || first === undefined || first === null ? 2 : 1;
  if (args.length > positional) { // SGD(params, {lr}, {...}): the extra object is checked, then refused
    if (isOptions(args[positional])) parseOptions(call, args[positional], defaults);
    throw new TypeError(`${call}: takes (params, lr?, options?), got ${args.length + 1} arguments`);
  }
  if (typeof first === 'number' || first === undefined || first === null) {
    const options = parseOptions(call, second, defaults);
    if (typeof first === 'number') options.lr = first;
    return options;
  }
  return parseOptions(call, first, defaults);
}

export function checkNonNegative(call, label, value) {
  if (typeof value !== 'number') throw typeError(call, `a number for ${label}`, value);
  if (!(value >= 0)) throw new RangeError(`${call}: Invalid ${label}: ${value}`);
}

/** A stored option must be a number (a user may have written param_groups[i].lr = 'x'). */
export const num = (v) => (typeof v === 'number' ? v : NaN);
export { k };

signatures(Optimizer, ['Optimizer.add_param_group(param_group: any)', 'Optimizer.step(closure=null)', 'Optimizer.state_dict()',
  'Optimizer.load_state_dict(state_dict: any)', 'Optimizer.toString()']);
