// optim/optimizer.js: the Optimizer base — parameter groups, per-parameter state,
// zero_grad, step(closure), state_dict / load_state_dict — with PyTorch's checks. The
// update rules are fused C kernels (src/kernels/optim_update.c), one call per parameter.
import { pyRepr } from '../args.js';
import { check, k } from '../core.js';
import { zeros_like } from '../creation.js';
import { isOptions, parseOptions, typeError } from '../errors.js';
import { enable_grad } from '../functions.js';
import { keep, release_later } from '../memory.js';
import { Tensor } from '../tensor.js';

export class Optimizer {
  constructor(params, defaults) {
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
      if (p.dtype !== 'float32') throw new TypeError(`${name}: can only optimize float32 tensors, got ${p.dtype}`);
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

  /** Runs closure (with grad enabled) first when given, then updates every parameter. */
  step(closure) {
    let loss;
    if (closure !== undefined) {
      if (typeof closure !== 'function') throw typeError(`${this.constructor.name}.step`, 'a closure function', closure);
      loss = enable_grad(closure);
    }
    // Check everything first, so that a failed step leaves parameters and state unchanged.
    const work = [];
    for (const group of this.param_groups) {
      this._validate(group);
      for (const p of group.params) {
        const grad = p.grad;
        if (!grad) continue;
        if (grad.shape.join() !== p.shape.join())
          throw new Error(`${this.constructor.name}.step: grad of shape [${grad.shape}] does not match the parameter's shape [${p.shape}]`);
        work.push([group, p]);
      }
    }
    for (const [group, p] of work) {
      let state = this.state.get(p);
      if (!state) this.state.set(p, (state = this._initState(p, group)));
      check(this._update(p, state, group));
    }
    this._step_count++;
    return loss;
  }

  _zerosLike(p) { return keep(zeros_like(p).detach()); }

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
    const incoming = new Map();
    for (const [id, s] of Object.entries(state_dict.state ?? {})) {
      const p = byId.get(Number(id));
      if (!p) continue;
      const copy = {};
      for (const [key, value] of Object.entries(s)) {
        if (value instanceof Tensor && key !== 'step') {
          if (value.numel() !== p.numel())
            throw new Error(`${name}: state '${key}' of parameter ${id} has shape [${value.shape}], the parameter has [${p.shape}]`);
          copy[key] = keep(value.detach().clone().reshape(p.shape));
        } else {
          copy[key] = value instanceof Tensor ? value.item() : value;
        }
      }
      incoming.set(p, copy);
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

/** Parses an optimizer's options: positional lr, then PyTorch's keyword names. */
export function optimizerOptions(call, args, defaults) {
  const [first, second] = args;
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
