// optim/lr_scheduler.js: torch.optim.lr_scheduler of PyTorch 1.13 — StepLR, MultiStepLR,
// ConstantLR, LinearLR, ExponentialLR, PolynomialLR, CosineAnnealingLR,
// CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR, ReduceLROnPlateau (their lr arithmetic
// is C, src/optim/schedulers.c, in double precision, reached through k_sched_* of
// kindling.h), and LambdaLR, MultiplicativeLR, SequentialLR, ChainedScheduler (JS: they
// call user functions or other schedulers, as the recipes of schedulers.h say).
//
// A scheduler is a plain JS object whose own enumerable properties are PyTorch's
// attributes (last_epoch, base_lrs, _step_count, gamma, ...), so state_dict() is a deep copy
// of them, as PyTorch's is a copy of __dict__, and load_state_dict() assigns them back.
// Each step packs the C state struct from those properties (field order of
// schedulers.h), calls the core, and unpacks it; the heap block lives for that call only,
// so a scheduler owns no wasm memory and needs no dispose.
//
// Differences from PyTorch, on purpose: arguments are type-checked (step_size must be a
// positive integer, gamma a number, ...); ReduceLROnPlateau rejects a NaN / infinite
// metric (PyTorch silently counts it as a bad epoch); warnings go to console.warn once
// per scheduler; state_dict() holds no functions (LambdaLR's lr_lambdas and CyclicLR's
// _scale_fn_custom become null, OneCycleLR keeps its anneal strategy as _anneal_func_type,
// as PyTorch 2 does) so it survives structuredClone / JSON (but for Infinity in
// ReduceLROnPlateau's best).
import { bind, bindArgs, signatures } from '../args.js';
import { k, raise } from '../core.js';
import { describe, typeError } from '../errors.js';

// Kind and op codes of kindling.h (K_SCHED_*).
const KIND = {
  StepLR: 0, MultiStepLR: 1, ConstantLR: 2, LinearLR: 3, ExponentialLR: 4, PolynomialLR: 5,
  CosineAnnealingLR: 6, CosineAnnealingWarmRestarts: 7, CyclicLR: 8, OneCycleLR: 9, ReduceLROnPlateau: 10,
};
const OP = { STEP: 0, EPOCH: 1, INITIAL: 2, ADVANCE: 3, GET_LR: 4 };
const CYCLIC_MODES = ['triangular', 'triangular2', 'exp_range'];
const EMPTY = new Float64Array(0);

const EPOCH_DEPRECATION_WARNING =
  'The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. ' +
  'Please use `scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from ' +
  'None, the closed form is used instead of the new chainable form, where available. Please open an issue ' +
  'if you are unable to replicate your use case: https://github.com/pytorch/pytorch/issues/new/choose.';
const ORDER_WARNING =
  'Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should ' +
  'call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will ' +
  'result in PyTorch skipping the first value of the learning rate schedule. See more details at ' +
  'https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate';

// ------------------------------------------------------------------ wasm heap calls

/**
 * Copies the arrays into one fresh heap block, calls fn with their addresses (0 for an
 * empty array), copies them back (the core writes some of them) and frees the block.
 */
function withHeap(arrays, fn) {
  const total = arrays.reduce((n, a) => n + a.length, 0);
  const ptr = total ? k.k_malloc(total * 8) : 0;
  if (total && !ptr) throw new RangeError('lr_scheduler: out of wasm memory');
  try {
    let view = new Float64Array(k.memory.buffer, ptr, total);
    const ptrs = [];
    let at = 0;
    for (const a of arrays) {
      view.set(a, at);
      ptrs.push(a.length ? ptr + at * 8 : 0);
      at += a.length;
    }
    const result = fn(...ptrs);
    view = new Float64Array(k.memory.buffer, ptr, total); // the call may have grown memory
    at = 0;
    for (const a of arrays) {
      a.set(view.subarray(at, at + a.length));
      at += a.length;
    }
    return result;
  } finally {
    if (ptr) k.k_free(ptr);
  }
}

// ------------------------------------------------------------------ argument checks

function checkNum(call, name, v) {
  if (typeof v !== 'number' || Number.isNaN(v)) throw typeError(call, `a number for '${name}'`, v);
  return v;
}
function checkInt(call, name, v) {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(call, `an integer for '${name}'`, v);
  return v;
}
function checkBool(call, name, v) {
  if (typeof v !== 'boolean') throw typeError(call, `a boolean for '${name}'`, v);
  return v;
}
function checkLastEpoch(call, v) {
  checkInt(call, 'last_epoch', v);
  if (v < -1) throw new RangeError(`${call}: expected last_epoch >= -1, got ${v}`);
  return v;
}
/** A positive integer, with PyTorch's wording "Expected positive integer T_0, but got -1". */
function checkPosInt(call, name, v) {
  if (typeof v !== 'number') throw typeError(call, `a positive integer for '${name}'`, v);
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${call}: Expected positive integer ${name}, but got ${v}`);
  return v;
}
function checkNonNegInt(call, name, v) {
  checkInt(call, name, v);
  if (v < 0) throw new RangeError(`${call}: expected a non-negative integer for '${name}', got ${v}`);
  return v;
}
function checkOptimizer(call, optimizer) {
  if (!optimizer || typeof optimizer !== 'object' || !Array.isArray(optimizer.param_groups))
    throw typeError(call, 'an Optimizer (an object with param_groups)', optimizer);
  return optimizer;
}
/** PyTorch's _format_param: a number for every group, or a list with one per group. */
function perGroup(call, name, optimizer, v) {
  const n = optimizer.param_groups.length;
  if (Array.isArray(v)) {
    if (v.length !== n) throw new RangeError(`${call}: expected ${n} values for ${name}, got ${v.length}`);
    v.forEach((x, i) => checkNum(call, `${name}[${i}]`, x));
    return [...v];
  }
  checkNum(call, name, v);
  return new Array(n).fill(v);
}
function groupLr(call, group, i) {
  if (typeof group.lr !== 'number') throw typeError(call, `a number in param_groups[${i}].lr`, group.lr);
  return group.lr;
}
function checkEpoch(call, epoch) {
  if (typeof epoch !== 'number' || !Number.isFinite(epoch)) throw typeError(call, 'a finite number for epoch', epoch);
  return epoch;
}

// ------------------------------------------------------------------ Python formatting

/** Python's '{:.4e}'.format(x): JS rounds exact ties up, Python to even; exponent >= 2 digits. */
function formatE4(x) {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  let s = x.toExponential(4);
  const exact = Math.abs(x).toExponential(100); // every digit of a double's exact value
  const digits = exact[0] + exact.slice(2, 102);
  if (digits[5] === '5' && /^0*$/.test(digits.slice(6)) && Number(digits[4]) % 2 === 0)
    s = `${x < 0 ? '-' : ''}${digits[0]}.${digits.slice(1, 5)}${exact.slice(exact.indexOf('e'))}`;
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Python's '%.2f' % x (ties to even, as formatE4). */
function formatF2(x) {
  let s = x.toFixed(2);
  const [ip, fp] = Math.abs(x).toFixed(100).split('.');
  if (fp[2] === '5' && /^0*$/.test(fp.slice(3)) && Number(fp[1]) % 2 === 0) s = `${x < 0 ? '-' : ''}${ip}.${fp.slice(0, 2)}`;
  return s;
}

/** Python's '%.2f' for a float epoch, '%.5d' for an int one. */
function formatEpoch(epoch) {
  if (!Number.isInteger(epoch)) return formatF2(epoch);
  return (epoch < 0 ? '-' : '') + String(Math.abs(epoch)).padStart(5, '0');
}

// ------------------------------------------------------------------ state copies

/** A deep copy for state_dict: functions become null (PyTorch drops plain functions too). */
function copyState(v) {
  if (typeof v === 'function') return null;
  if (Array.isArray(v)) return v.map(copyState);
  if (v && typeof v === 'object') {
    const out = {};
    for (const [key, x] of Object.entries(v)) out[key] = copyState(x);
    return out;
  }
  return v;
}

/** Assigns a state_dict, keeping functions where the saved value is null (not saved). */
function loadState(target, call, state, skip = []) {
  if (!state || typeof state !== 'object' || Array.isArray(state)) throw typeError(call, 'a state_dict object', state);
  for (const [key, value] of Object.entries(state)) {
    if (skip.includes(key)) continue;
    const cur = target[key];
    if (typeof cur === 'function' && value == null) continue;
    if (Array.isArray(cur) && cur.some((f) => typeof f === 'function') && Array.isArray(value)) {
      target[key] = cur.map((f, i) => (typeof f === 'function' && value[i] == null ? f : copyState(value[i])));
      continue;
    }
    target[key] = copyState(value);
  }
}

function hide(obj, key, value) {
  Object.defineProperty(obj, key, { value, writable: true, configurable: true, enumerable: false });
}

// ------------------------------------------------------------------ C state structs

// Field descriptors: [get(scheduler) -> number, set(scheduler, number), name], in struct order.
const field = (key) => [(s) => s[key], (s, v) => { s[key] = v; }, key];
const flag = (key) => [(s) => (s[key] ? 1 : 0), (s, v) => { s[key] = v !== 0; }, key];
const named = (key, names) => [(s) => {
  const i = names.indexOf(s[key]);
  if (i < 0) throw new RangeError(`${s.constructor.name}: ${key} ${describe(s[key])} is unknown (expected one of ${names.join(', ')})`);
  return i;
}, (s, v) => { s[key] = names[v]; }, key];
const LE_SC = [field('last_epoch'), field('_step_count')];
const phase = (i) => [
  (s) => s._schedule_phases[i]?.end_step ?? 0,
  (s, v) => { if (s._schedule_phases[i]) s._schedule_phases[i].end_step = v; },
  '_schedule_phases',
];
const FIELDS = {
  StepLR: [...LE_SC, field('step_size'), field('gamma')],
  MultiStepLR: [...LE_SC, field('gamma')],
  ConstantLR: [...LE_SC, field('factor'), field('total_iters')],
  LinearLR: [...LE_SC, field('start_factor'), field('end_factor'), field('total_iters')],
  ExponentialLR: [...LE_SC, field('gamma')],
  PolynomialLR: [...LE_SC, field('total_iters'), field('power')],
  CosineAnnealingLR: [...LE_SC, field('T_max'), field('eta_min')],
  CosineAnnealingWarmRestarts: [...LE_SC, field('T_0'), field('T_i'), field('T_mult'), field('eta_min'), field('T_cur')],
  CyclicLR: [
    ...LE_SC, field('total_size'), field('step_ratio'),
    [(s) => (s._scale_fn_custom ? 3 : CYCLIC_MODES.indexOf(s.mode)), () => {}, 'mode'], // CYCLIC_CUSTOM = 3
    field('gamma'), named('scale_mode', ['cycle', 'iterations']), flag('cycle_momentum'),
  ],
  OneCycleLR: [
    ...LE_SC, field('total_steps'), named('_anneal_func_type', ['cos', 'linear']), flag('cycle_momentum'),
    [(s) => (s._schedule_phases.length === 3 ? 1 : 0), () => {}, '_schedule_phases'], phase(0), phase(1), phase(2),
  ],
  ReduceLROnPlateau: [
    field('last_epoch'), field('factor'), field('patience'), field('cooldown'), field('cooldown_counter'),
    named('mode', ['min', 'max']), field('threshold'), named('threshold_mode', ['rel', 'abs']), field('best'),
    field('num_bad_epochs'), field('mode_worse'), field('eps'),
  ],
};

/** The C struct of scheduler s (class name `name`) from its properties. */
function pack(s, name) {
  const fields = FIELDS[name];
  const state = new Float64Array(fields.length);
  fields.forEach(([get, , key], i) => {
    const v = get(s);
    if (typeof v !== 'number')
      throw new TypeError(`${name}: state field '${key}' is ${describe(v)}; was the state_dict made by another scheduler?`);
    state[i] = v;
  });
  return state;
}
function unpack(s, name, state) {
  FIELDS[name].forEach(([, set], i) => set(s, state[i]));
}

/** k_sched_init: runs the constructor's arithmetic and checks, then unpacks the struct. */
function cInit(s, name, args, extra = null, ngroups = 0) {
  const state = new Float64Array(k.k_sched_state_size(KIND[name]));
  const a = Float64Array.from(args);
  const status = withHeap([state, a, extra ?? EMPTY], (ps, pa, pe) =>
    k.k_sched_init(KIND[name], ps, pa, a.length, extra ? pe : 0, ngroups));
  if (status < 0) raise(status);
  unpack(s, name, state);
}

// ------------------------------------------------------------------ the base class

const COUNTED = Symbol('step counted for lr_scheduler');

/**
 * Wraps optimizer.step on the instance so that every call counts in optimizer._step_count,
 * as PyTorch's scheduler does: a user Optimizer subclass whose own step() never reaches the
 * base class is counted too, and the "step() before optimizer.step()" warning stays true.
 */
function countSteps(optimizer) {
  if (typeof optimizer.step !== 'function' || optimizer.step[COUNTED]) return;
  const step = optimizer.step;
  const counted = function (...args) {
    const before = this._step_count;
    const result = step.apply(this, args);
    if (this._step_count === before) this._step_count = (typeof before === 'number' ? before : 0) + 1;
    return result;
  };
  counted[COUNTED] = true;
  Object.defineProperty(optimizer, 'step', { value: counted, writable: true, configurable: true, enumerable: false });
}

/**
 * PyTorch's _LRScheduler (LRScheduler in PyTorch 2). A user subclass passes the optimizer
 * up, sets its own fields, defines get_lr() (and optionally _get_closed_form_lr() for
 * step(epoch)), then makes the initial step itself — JS runs no code before super():
 *   class Halving extends LRScheduler {
 *     constructor(opt) { super(opt); this.every = 3; this._initial_step(); }
 *     get_lr() { return this.optimizer.param_groups.map((g) => (this.last_epoch && this.last_epoch % this.every === 0 ? g.lr / 2 : g.lr)); }
 *   }
 */
export class LRScheduler {
  constructor(...args) {
    if (!args.length) return; // the built-in schedulers attach themselves
    const call = this.constructor.name;
    const [optimizer, last_epoch = -1, verbose = false] = bindArgs(`${call}(optimizer, last_epoch=-1, verbose=false)`, args);
    checkOptimizer(call, optimizer);
    checkLastEpoch(call, last_epoch);
    checkBool(call, 'verbose', verbose);
    this._attach(call, optimizer, last_epoch, verbose);
  }

  get_lr() {
    throw new Error(`${this._name}.get_lr: not implemented (a subclass of LRScheduler defines it; use get_last_lr() for the current lrs)`);
  }

  // The step hooks of a get_lr() subclass (the built-in schedulers override them).
  _first() { return this._next(); }
  _next() {
    this._step_count += 1;
    this.last_epoch += 1;
    return this._userLrs(this.get_lr());
  }
  _at(epoch) {
    this._step_count += 1;
    this.last_epoch = epoch;
    return this._userLrs(typeof this._get_closed_form_lr === 'function' ? this._get_closed_form_lr() : this.get_lr());
  }
  _userLrs(lrs) {
    const n = this.optimizer.param_groups.length;
    if (!Array.isArray(lrs) || lrs.length !== n || lrs.some((lr) => typeof lr !== 'number'))
      throw typeError(`${this._name}.step`, `get_lr() to return an array of ${n} numbers`, lrs);
    return lrs;
  }

  /** PyTorch's _LRScheduler.__init__ up to _initial_step(). */
  _attach(call, optimizer, last_epoch, verbose) {
    countSteps(optimizer);
    hide(this, 'optimizer', optimizer);
    hide(this, '_warned', new Set());
    const groups = optimizer.param_groups;
    if (last_epoch === -1) {
      for (const group of groups) if (!('initial_lr' in group)) group.initial_lr = group.lr;
    } else {
      groups.forEach((group, i) => {
        if (!('initial_lr' in group))
          throw new Error(`${call}: param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
      });
    }
    this.base_lrs = groups.map((group) => group.initial_lr);
    this.last_epoch = last_epoch;
    this.verbose = verbose;
  }

  _initial_step() {
    if (typeof this.optimizer._step_count === 'number') this.optimizer._step_count = 0;
    this._step_count = 0;
    this._get_lr_called_within_step = false;
    this._apply(this._first(), undefined);
  }

  get _name() { return this.constructor.name; }

  _warnOnce(message) {
    if (this._warned.has(message)) return;
    this._warned.add(message);
    console.warn(`UserWarning: ${message}`);
  }

  /** step() or step(epoch) (deprecated by PyTorch; the closed form where there is one). */
  step(epoch) {
    if (arguments.length > 1) throw new TypeError(`${this._name}.step: takes at most 1 argument (epoch), got ${arguments.length}`);
    this._step(epoch, true);
  }

  _step(epoch, warn) {
    const given = epoch !== undefined && epoch !== null;
    if (given) checkEpoch(`${this._name}.step`, epoch);
    if (this._step_count === 1 && typeof this.optimizer._step_count === 'number' && this.optimizer._step_count < 1)
      this._warnOnce(ORDER_WARNING);
    let lrs;
    if (!given) lrs = this._next();
    else {
      if (warn) this._warnOnce(EPOCH_DEPRECATION_WARNING);
      lrs = this._at(epoch);
    }
    this._apply(lrs, given ? epoch : undefined);
  }

  /** Writes the new lrs to the groups, prints them when verbose, records _last_lr. */
  _apply(lrs, epoch) {
    const groups = this.optimizer.param_groups;
    lrs.forEach((lr, i) => {
      groups[i].lr = lr;
      this.print_lr(this.verbose, i, lr, epoch);
    });
    this._last_lr = groups.map((group) => group.lr);
  }

  print_lr(is_verbose, group, lr, epoch) {
    if (!is_verbose) return;
    if (epoch === undefined || epoch === null) console.log(`Adjusting learning rate of group ${group} to ${formatE4(lr)}.`);
    else console.log(`Epoch ${formatEpoch(epoch)}: adjusting learning rate of group ${group} to ${formatE4(lr)}.`);
  }

  get_last_lr() {
    return this._last_lr.slice();
  }

  state_dict() {
    return copyState({ ...this });
  }

  load_state_dict(state_dict) {
    loadState(this, `${this._name}.load_state_dict`, state_dict);
  }
}
export { LRScheduler as _LRScheduler };

/** A scheduler whose arithmetic is C: subclasses say how to build `extra` and momentum. */
class CScheduler extends LRScheduler {
  /** The common end of a constructor: the last checks, the C state, the initial step. */
  _start(c, a, cArgs) {
    checkLastEpoch(c, a.last_epoch);
    checkBool(c, 'verbose', a.verbose);
    cInit(this, c, cArgs);
    this._attach(c, a.optimizer, a.last_epoch, a.verbose);
    this._initial_step();
  }

  _first() { return this._run(OP.INITIAL); }
  _next() { return this._run(OP.STEP); }
  _at(epoch) { return this._run(OP.EPOCH, epoch); }
  _extra() { return EMPTY; }

  /** One k_sched_step; returns the group lrs it computed (momentums are written here). */
  _run(op, arg = 0) {
    const name = this._kind;
    const groups = this.optimizer.param_groups;
    const n = groups.length;
    if (this.base_lrs.length !== n)
      throw new Error(`${name}.step: the optimizer has ${n} param groups, the scheduler was made for ${this.base_lrs.length}`);
    const state = pack(this, name);
    const rows = new Float64Array(3 * n); // (3, n): lrs, base_lrs, momentums
    groups.forEach((group, i) => {
      rows[i] = groupLr(`${name}.step`, group, i);
      rows[n + i] = this.base_lrs[i];
    });
    const extra = this._extra();
    const status = withHeap([state, rows, extra], (ps, pr, pe) =>
      k.k_sched_step(KIND[name], op, ps, arg, pr, n, pe, extra.length));
    unpack(this, name, state); // also after a failure: PyTorch has advanced last_epoch then
    if (status < 0) raise(status);
    if (op !== OP.ADVANCE && this.cycle_momentum) this._setMomentums(rows.subarray(2 * n));
    return Array.from(rows.subarray(0, n));
  }

  _setMomentums(values) {
    this.optimizer.param_groups.forEach((group, i) => {
      if (this.use_beta1) group.betas = [values[i], ...group.betas.slice(1)];
      else group.momentum = values[i];
    });
  }
}

// ------------------------------------------------------------------ C-backed schedulers

export class StepLR extends CScheduler {
  constructor(...args) {
    super();
    const c = 'StepLR';
    const a = bind(c, args, [['optimizer'], ['step_size'], ['gamma', 0.1], ['last_epoch', -1], ['verbose', false]]);
    checkOptimizer(c, a.optimizer);
    this.step_size = checkPosInt(c, 'step_size', a.step_size);
    this.gamma = checkNum(c, 'gamma', a.gamma);
    this._start(c, a, [this.step_size, this.gamma, a.last_epoch]);
  }
}

export class MultiStepLR extends CScheduler {
  constructor(...args) {
    super();
    const c = 'MultiStepLR';
    const a = bind(c, args, [['optimizer'], ['milestones'], ['gamma', 0.1], ['last_epoch', -1], ['verbose', false]]);
    checkOptimizer(c, a.optimizer);
    if (!Array.isArray(a.milestones)) throw typeError(c, "an array of integers for 'milestones'", a.milestones);
    // PyTorch keeps Counter(milestones): milestone -> how many times it was listed.
    this.milestones = {};
    for (const m of a.milestones) {
      checkInt(c, 'milestones[i]', m);
      this.milestones[m] = (this.milestones[m] ?? 0) + 1;
    }
    this.gamma = checkNum(c, 'gamma', a.gamma);
    this._start(c, a, [this.gamma, a.last_epoch]);
  }
  _extra() {
    const list = [];
    for (const [m, count] of Object.entries(this.milestones)) for (let i = 0; i < count; i++) list.push(Number(m));
    return Float64Array.from(list);
  }
}

export class ConstantLR extends CScheduler {
  constructor(...args) {
    super();
    const c = 'ConstantLR';
    const a = bind(c, args, [['optimizer'], ['factor', 1 / 3], ['total_iters', 5], ['last_epoch', -1], ['verbose', false]]);
    checkOptimizer(c, a.optimizer);
    this.factor = checkNum(c, 'factor', a.factor);
    if (this.factor > 1.0 || this.factor < 0) throw new RangeError(`${c}: Constant multiplicative factor expected to be between 0 and 1.`);
    this.total_iters = checkNonNegInt(c, 'total_iters', a.total_iters);
    this._start(c, a, [this.factor, this.total_iters, a.last_epoch]);
  }
}

export class LinearLR extends CScheduler {
  constructor(...args) {
    super();
    const c = 'LinearLR';
    const a = bind(c, args, [['optimizer'], ['start_factor', 1 / 3], ['end_factor', 1.0], ['total_iters', 5],
      ['last_epoch', -1], ['verbose', false]]);
    checkOptimizer(c, a.optimizer);
    this.start_factor = checkNum(c, 'start_factor', a.start_factor);
    if (this.start_factor > 1.0 || this.start_factor < 0)
      throw new RangeError(`${c}: Starting multiplicative factor expected to be between 0 and 1.`);
    this.end_factor = checkNum(c, 'end_factor', a.end_factor);
    if (this.end_factor > 1.0 || this.end_factor < 0)
      throw new RangeError(`${c}: Ending multiplicative factor expected to be between 0 and 1.`);
    this.total_iters = checkNonNegInt(c, 'total_iters', a.total_iters);
    this._start(c, a, [this.start_factor, this.end_factor, this.total_iters, a.last_epoch]);
  }
}

export class ExponentialLR extends CScheduler {
  constructor(...args) {
    super();
    const c = 'ExponentialLR';
    const a = bind(c, args, [['optimizer'], ['gamma'], ['last_epoch', -1], ['verbose', false]]);
    checkOptimizer(c, a.optimizer);
    this.gamma = checkNum(c, 'gamma', a.gamma);
    this._start(c, a, [this.gamma, a.last_epoch]);
  }
}

export class PolynomialLR extends CScheduler {
  constructor(...args) {
    super();
    const c = 'PolynomialLR';
    const a = bind(c, args, [['optimizer'], ['total_iters', 5], ['power', 1.0], ['last_epoch', -1], ['verbose', false]]);
    checkOptimizer(c, a.optimizer);
    this.total_iters = checkNonNegInt(c, 'total_iters', a.total_iters);
    this.power = checkNum(c, 'power', a.power);
    this._start(c, a, [this.total_iters, this.power, a.last_epoch]);
  }
}

export class CosineAnnealingLR extends CScheduler {
  constructor(...args) {
    super();
    const c = 'CosineAnnealingLR';
    const a = bind(c, args, [['optimizer'], ['T_max'], ['eta_min', 0], ['last_epoch', -1], ['verbose', false]]);
    checkOptimizer(c, a.optimizer);
    this.T_max = checkNum(c, 'T_max', a.T_max);
    if (!(this.T_max > 0) || !Number.isFinite(this.T_max)) throw new RangeError(`${c}: Expected positive T_max, but got ${this.T_max}`);
    this.eta_min = checkNum(c, 'eta_min', a.eta_min);
    this._start(c, a, [this.T_max, this.eta_min, a.last_epoch]);
  }
}

/** Its own step(): no _step_count, fractional epochs, always prints "Epoch ...". */
export class CosineAnnealingWarmRestarts extends CScheduler {
  constructor(...args) {
    super();
    const c = 'CosineAnnealingWarmRestarts';
    const a = bind(c, args, [['optimizer'], ['T_0'], ['T_mult', 1], ['eta_min', 0], ['last_epoch', -1], ['verbose', false]]);
    checkOptimizer(c, a.optimizer);
    if (typeof a.T_0 !== 'number') throw typeError(c, "a positive integer for 'T_0'", a.T_0);
    if (!(a.T_0 > 0) || !Number.isInteger(a.T_0)) throw new RangeError(`${c}: Expected positive integer T_0, but got ${a.T_0}`);
    if (typeof a.T_mult !== 'number') throw typeError(c, "an integer >= 1 for 'T_mult'", a.T_mult);
    if (!(a.T_mult >= 1) || !Number.isInteger(a.T_mult))
      throw new RangeError(`${c}: Expected integer T_mult >= 1, but got ${a.T_mult}`);
    checkNum(c, 'eta_min', a.eta_min);
    this._start(c, a, [a.T_0, a.T_mult, a.eta_min, a.last_epoch]);
  }
  _step(epoch) {
    const given = epoch !== undefined && epoch !== null;
    if (given) checkEpoch(`${this._name}.step`, epoch);
    // PyTorch's CosineAnnealingWarmRestarts.step neither warns nor counts _step_count.
    this._apply(given ? this._run(OP.EPOCH, epoch) : this._run(OP.STEP), epoch);
  }
  _first() { return this._run(OP.STEP); } // step() with last_epoch < 0 is step(0)
  /** PyTorch prints the epoch step() computed (last_epoch + 1, or the one given). */
  _apply(lrs, epoch) { super._apply(lrs, epoch ?? this.last_epoch); }
}

export class CyclicLR extends CScheduler {
  constructor(...args) {
    super();
    const c = 'CyclicLR';
    const a = bind(c, args, [['optimizer'], ['base_lr'], ['max_lr'], ['step_size_up', 2000], ['step_size_down', null],
      ['mode', 'triangular'], ['gamma', 1.0], ['scale_fn', null], ['scale_mode', 'cycle'], ['cycle_momentum', true],
      ['base_momentum', 0.8], ['max_momentum', 0.9], ['last_epoch', -1], ['verbose', false]]);
    const optimizer = checkOptimizer(c, a.optimizer);
    checkLastEpoch(c, a.last_epoch);
    checkBool(c, 'verbose', a.verbose);
    checkBool(c, 'cycle_momentum', a.cycle_momentum);
    const base_lrs = perGroup(c, 'base_lr', optimizer, a.base_lr);
    const max_lrs = perGroup(c, 'max_lr', optimizer, a.max_lr);
    checkNum(c, 'step_size_up', a.step_size_up);
    if (!(a.step_size_up > 0)) throw new RangeError(`${c}: expected a positive step_size_up, got ${a.step_size_up}`);
    if (a.step_size_down !== null) {
      checkNum(c, 'step_size_down', a.step_size_down);
      if (!(a.step_size_down >= 0)) throw new RangeError(`${c}: expected a non-negative step_size_down, got ${a.step_size_down}`);
    }
    if (a.scale_fn !== null && typeof a.scale_fn !== 'function') throw typeError(c, "a function or null for 'scale_fn'", a.scale_fn);
    if (!CYCLIC_MODES.includes(a.mode) && a.scale_fn === null) throw new RangeError(`${c}: mode is invalid and scale_fn is None`);
    checkNum(c, 'gamma', a.gamma);
    if (a.scale_mode !== 'cycle' && a.scale_mode !== 'iterations')
      throw new RangeError(`${c}: scale_mode ${a.scale_mode} is unknown! (expected 'cycle' or 'iterations')`);
    let base_momentums = null, max_momentums = null;
    if (a.cycle_momentum) {
      const defaults = optimizer.defaults ?? optimizer.param_groups[0] ?? {};
      if (!('momentum' in defaults)) throw new TypeError(`${c}: optimizer must support momentum with \`cycle_momentum\` option enabled`);
      base_momentums = perGroup(c, 'base_momentum', optimizer, a.base_momentum);
      max_momentums = perGroup(c, 'max_momentum', optimizer, a.max_momentum);
    }
    // Everything checked: now change the groups, as PyTorch's constructor does.
    if (a.last_epoch === -1) base_lrs.forEach((lr, i) => { optimizer.param_groups[i].lr = lr; });
    this.max_lrs = max_lrs;
    this.mode = a.mode;
    this.gamma = a.gamma;
    this._scale_fn_custom = a.scale_fn;
    this.scale_mode = a.scale_mode;
    this.cycle_momentum = a.cycle_momentum;
    if (a.cycle_momentum) {
      if (a.last_epoch === -1) base_momentums.forEach((m, i) => { optimizer.param_groups[i].momentum = m; });
      this.base_momentums = optimizer.param_groups.map((group, i) => checkNum(c, `param_groups[${i}].momentum`, group.momentum));
      this.max_momentums = max_momentums;
    }
    const mode = a.scale_fn ? 3 : CYCLIC_MODES.indexOf(a.mode);
    const down = a.step_size_down === null ? NaN : a.step_size_down;
    cInit(this, c, [a.step_size_up, down, mode, a.gamma, a.scale_mode === 'cycle' ? 0 : 1, a.cycle_momentum ? 1 : 0, a.last_epoch]);
    this._attach(c, optimizer, a.last_epoch, a.verbose);
    this._initial_step(); // with base_lrs = the groups' initial_lr, as PyTorch's
    this.base_lrs = base_lrs;
  }
  _extra() {
    const n = this.optimizer.param_groups.length;
    const extra = new Float64Array(4 * n); // CyclicLRGroup (n,)
    for (let i = 0; i < n; i++) {
      extra[4 * i] = this.base_lrs[i];
      extra[4 * i + 1] = this.max_lrs[i];
      extra[4 * i + 2] = this.cycle_momentum ? this.base_momentums[i] : 0;
      extra[4 * i + 3] = this.cycle_momentum ? this.max_momentums[i] : 0;
    }
    return extra;
  }
  /** With a JS scale_fn: the core advances / sets the epoch, JS evaluates scale_fn, the core finishes get_lr(). */
  _custom(advance) {
    if (advance) this._run(OP.ADVANCE);
    const x = withHeap([pack(this, this._kind)], (ps) => k.k_sched_cyclic_scale_arg(ps));
    const scale = this._scale_fn_custom(x);
    if (typeof scale !== 'number') throw typeError('CyclicLR.step', 'scale_fn to return a number', scale);
    return this._run(OP.GET_LR, scale);
  }
  _first() {
    if (!this._scale_fn_custom) return this._run(OP.INITIAL);
    return this._custom(true);
  }
  _next() { return this._scale_fn_custom ? this._custom(true) : this._run(OP.STEP); }
  _at(epoch) {
    if (!this._scale_fn_custom) return this._run(OP.EPOCH, epoch);
    this._step_count += 1;
    this.last_epoch = epoch;
    return this._custom(false);
  }
}

export class OneCycleLR extends CScheduler {
  constructor(...args) {
    super();
    const c = 'OneCycleLR';
    const a = bind(c, args, [['optimizer'], ['max_lr'], ['total_steps', null], ['epochs', null], ['steps_per_epoch', null],
      ['pct_start', 0.3], ['anneal_strategy', 'cos'], ['cycle_momentum', true], ['base_momentum', 0.85],
      ['max_momentum', 0.95], ['div_factor', 25.0], ['final_div_factor', 1e4], ['three_phase', false],
      ['last_epoch', -1], ['verbose', false]]);
    const optimizer = checkOptimizer(c, a.optimizer);
    checkLastEpoch(c, a.last_epoch);
    checkBool(c, 'verbose', a.verbose);
    checkBool(c, 'cycle_momentum', a.cycle_momentum);
    checkBool(c, 'three_phase', a.three_phase);
    let total_steps;
    if (a.total_steps === null && a.epochs === null && a.steps_per_epoch === null) {
      throw new TypeError(`${c}: You must define either total_steps OR (epochs AND steps_per_epoch)`);
    } else if (a.total_steps !== null) {
      total_steps = checkPosInt(c, 'total_steps', a.total_steps);
    } else {
      checkPosInt(c, 'epochs', a.epochs);
      checkPosInt(c, 'steps_per_epoch', a.steps_per_epoch);
      total_steps = a.epochs * a.steps_per_epoch;
    }
    if (typeof a.pct_start !== 'number' || !(a.pct_start >= 0 && a.pct_start <= 1))
      throw new RangeError(`${c}: Expected float between 0 and 1 pct_start, but got ${a.pct_start}`);
    if (a.anneal_strategy !== 'cos' && a.anneal_strategy !== 'linear')
      throw new RangeError(`${c}: anneal_strategy must by one of 'cos' or 'linear', instead got ${a.anneal_strategy}`);
    const max_lrs = perGroup(c, 'max_lr', optimizer, a.max_lr);
    checkNum(c, 'div_factor', a.div_factor);
    checkNum(c, 'final_div_factor', a.final_div_factor);
    let use_beta1 = false, max_momentums = null, base_momentums = null;
    if (a.cycle_momentum) {
      const defaults = optimizer.defaults ?? optimizer.param_groups[0] ?? {};
      if (!('momentum' in defaults) && !('betas' in defaults))
        throw new TypeError(`${c}: optimizer must support momentum with \`cycle_momentum\` option enabled`);
      use_beta1 = 'betas' in defaults;
      max_momentums = perGroup(c, 'max_momentum', optimizer, a.max_momentum);
      base_momentums = perGroup(c, 'base_momentum', optimizer, a.base_momentum);
      if (use_beta1)
        optimizer.param_groups.forEach((group, i) => {
          if (!Array.isArray(group.betas)) throw typeError(c, `betas in param_groups[${i}]`, group.betas);
        });
    }
    this.total_steps = total_steps;
    const names = a.three_phase
      ? [['initial_lr', 'max_lr', 'max_momentum', 'base_momentum'], ['max_lr', 'initial_lr', 'base_momentum', 'max_momentum'],
        ['initial_lr', 'min_lr', 'max_momentum', 'max_momentum']]
      : [['initial_lr', 'max_lr', 'max_momentum', 'base_momentum'], ['max_lr', 'min_lr', 'base_momentum', 'max_momentum']];
    this._schedule_phases = names.map(([start_lr, end_lr, start_momentum, end_momentum]) =>
      ({ end_step: 0, start_lr, end_lr, start_momentum, end_momentum }));
    this._anneal_func_type = a.anneal_strategy;
    this.cycle_momentum = a.cycle_momentum;
    if (a.cycle_momentum) this.use_beta1 = use_beta1;
    // The groups' initial_lr / max_lr / min_lr come from the core (max_lr / div_factor, ...).
    const n = optimizer.param_groups.length;
    const fresh = a.last_epoch === -1;
    const extra = new Float64Array(5 * n); // OneCycleLRGroup (n,)
    for (let i = 0; i < n; i++) {
      extra[5 * i + 1] = max_lrs[i];
      extra[5 * i + 3] = a.cycle_momentum ? max_momentums[i] : 0;
      extra[5 * i + 4] = a.cycle_momentum ? base_momentums[i] : 0;
    }
    cInit(this, c, [total_steps, a.pct_start, a.anneal_strategy === 'cos' ? 0 : 1, a.cycle_momentum ? 1 : 0,
      a.three_phase ? 1 : 0, a.last_epoch, a.div_factor, a.final_div_factor], fresh ? extra : null, n);
    if (fresh)
      optimizer.param_groups.forEach((group, i) => {
        group.initial_lr = extra[5 * i];
        group.max_lr = extra[5 * i + 1];
        group.min_lr = extra[5 * i + 2];
      });
    if (a.cycle_momentum && fresh)
      optimizer.param_groups.forEach((group, i) => {
        if (use_beta1) group.betas = [max_momentums[i], ...group.betas.slice(1)];
        else group.momentum = max_momentums[i];
        group.max_momentum = max_momentums[i];
        group.base_momentum = base_momentums[i];
      });
    this._attach(c, optimizer, a.last_epoch, a.verbose);
    this._initial_step();
  }
  _extra() {
    const groups = this.optimizer.param_groups;
    const extra = new Float64Array(5 * groups.length); // OneCycleLRGroup (n,)
    const keys = this.cycle_momentum
      ? ['initial_lr', 'max_lr', 'min_lr', 'max_momentum', 'base_momentum'] : ['initial_lr', 'max_lr', 'min_lr'];
    groups.forEach((group, i) => keys.forEach((key, j) => {
      if (typeof group[key] !== 'number')
        throw new Error(`OneCycleLR.step: param_groups[${i}] has no number '${key}' (set by the constructor; saved with the optimizer)`);
      extra[5 * i + j] = group[key];
    }));
    return extra;
  }
}

// The struct and kind of each (inherited by user subclasses, whose names differ).
for (const C of [StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR, CosineAnnealingLR,
  CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR]) C.prototype._kind = C.name;

// ------------------------------------------------------------------ JS-computed schedulers

function lambdas(call, optimizer, lr_lambda) {
  const n = optimizer.param_groups.length;
  if (Array.isArray(lr_lambda)) {
    if (lr_lambda.length !== n) throw new RangeError(`${call}: Expected ${n} lr_lambdas, but got ${lr_lambda.length}`);
    lr_lambda.forEach((f, i) => { if (typeof f !== 'function') throw typeError(call, `a function in lr_lambda[${i}]`, f); });
    return [...lr_lambda];
  }
  if (typeof lr_lambda !== 'function') throw typeError(call, 'a function or an array of functions for lr_lambda', lr_lambda);
  return new Array(n).fill(lr_lambda);
}

function factorOf(call, f, epoch) {
  const v = f(epoch);
  if (typeof v !== 'number') throw typeError(call, `lr_lambda(${epoch}) to return a number`, v);
  return v;
}

class LambdaBase extends LRScheduler {
  _setup(c, args) {
    const a = bind(c, args, [['optimizer'], ['lr_lambda'], ['last_epoch', -1], ['verbose', false]]);
    checkOptimizer(c, a.optimizer);
    checkLastEpoch(c, a.last_epoch);
    checkBool(c, 'verbose', a.verbose);
    this.lr_lambdas = lambdas(c, a.optimizer, a.lr_lambda);
    this._attach(c, a.optimizer, a.last_epoch, a.verbose);
    this._initial_step();
  }
  get_lr() { return this._lrs(); } // no closed form: step(epoch) applies the same rule at that epoch
}

/** lr = initial_lr * lr_lambda(last_epoch). */
export class LambdaLR extends LambdaBase {
  constructor(...args) {
    super();
    this._setup('LambdaLR', args);
  }
  _lrs() {
    return this.base_lrs.map((base, i) => base * factorOf('LambdaLR.step', this.lr_lambdas[i], this.last_epoch));
  }
}

/** lr *= lr_lambda(last_epoch) from the second step on. */
export class MultiplicativeLR extends LambdaBase {
  constructor(...args) {
    super();
    this._setup('MultiplicativeLR', args);
  }
  _lrs() {
    const groups = this.optimizer.param_groups;
    if (this.last_epoch > 0)
      return groups.map((group, i) => groupLr('MultiplicativeLR.step', group, i) *
        factorOf('MultiplicativeLR.step', this.lr_lambdas[i], this.last_epoch));
    return groups.map((group) => group.lr);
  }
}

// ------------------------------------------------------------------ compositions

function checkSchedulers(call, schedulers) {
  if (!Array.isArray(schedulers) || !schedulers.length) throw typeError(call, 'a non-empty array of schedulers', schedulers);
  schedulers.forEach((s, i) => {
    if (s instanceof ReduceLROnPlateau)
      throw new TypeError(`${call}: schedulers[${i}] is a ReduceLROnPlateau, whose step needs a metric; it cannot be composed`);
    if (!(s instanceof LRScheduler)) throw typeError(call, `a scheduler in schedulers[${i}]`, s);
  });
}

function bisectRight(a, x) {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < a[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** What SequentialLR and ChainedScheduler share: their state_dict nests the children's. */
class Composite extends LRScheduler {
  state_dict() {
    return { ...copyState({ ...this }), _schedulers: this._schedulers.map((s) => s.state_dict()) };
  }
  load_state_dict(state_dict) {
    const call = `${this._name}.load_state_dict`;
    loadState(this, call, state_dict, ['_schedulers']);
    const subs = state_dict._schedulers;
    if (!Array.isArray(subs) || subs.length !== this._schedulers.length)
      throw typeError(call, `_schedulers with ${this._schedulers.length} entries`, subs);
    subs.forEach((s, i) => this._schedulers[i].load_state_dict(s));
  }
  _compose(optimizer, schedulers) {
    hide(this, 'optimizer', optimizer);
    hide(this, '_warned', new Set());
    hide(this, '_schedulers', [...schedulers]);
  }
}

/** Runs schedulers[i] from milestones[i-1] on (restarting it with step(0) there). */
export class SequentialLR extends Composite {
  constructor(...args) {
    super();
    const c = 'SequentialLR';
    const a = bind(c, args, [['optimizer'], ['schedulers'], ['milestones'], ['last_epoch', -1], ['verbose', false]]);
    const optimizer = checkOptimizer(c, a.optimizer);
    checkSchedulers(c, a.schedulers);
    a.schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer)
        throw new Error(`${c}: Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index ${i} to be different than the optimizer passed in.`);
    });
    if (!Array.isArray(a.milestones)) throw typeError(c, "an array of integers for 'milestones'", a.milestones);
    a.milestones.forEach((m, i) => checkInt(c, `milestones[${i}]`, m));
    if (a.milestones.length !== a.schedulers.length - 1)
      throw new RangeError(`${c}: Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${a.schedulers.length} and the number of milestones to be equal to ${a.milestones.length}`);
    checkLastEpoch(c, a.last_epoch);
    optimizer.param_groups.forEach((group, i) => {
      if (typeof group.initial_lr !== 'number') throw new Error(`${c}: param_groups[${i}] has no 'initial_lr'`);
    });
    this._compose(optimizer, a.schedulers);
    this._milestones = [...a.milestones];
    this.last_epoch = a.last_epoch + 1;
    for (const group of optimizer.param_groups) group.lr = group.initial_lr; // undo the children's initial steps
    for (const s of this._schedulers) s.last_epoch -= 1;
    this._schedulers[0]._initial_step();
    this._last_lr = this._schedulers[0].get_last_lr();
  }
  step() {
    if (arguments.length) throw new TypeError('SequentialLR.step: takes no arguments');
    this.last_epoch += 1;
    const idx = bisectRight(this._milestones, this.last_epoch);
    const scheduler = this._schedulers[idx];
    if (idx > 0 && this._milestones[idx - 1] === this.last_epoch) scheduler._step(0, false);
    else scheduler.step();
    this._last_lr = scheduler.get_last_lr();
  }
}

/** Steps every scheduler, in order, on each step(). */
export class ChainedScheduler extends Composite {
  constructor(...args) {
    super();
    const c = 'ChainedScheduler';
    const a = bind(c, args, [['schedulers']]);
    checkSchedulers(c, a.schedulers);
    a.schedulers.forEach((s, i) => {
      if (s.optimizer !== a.schedulers[0].optimizer)
        throw new Error(`${c}: ChainedScheduler expects all schedulers to belong to the same optimizer, but got schedulers at index 0 and ${i} to be different`);
    });
    this._compose(a.schedulers[0].optimizer, a.schedulers);
    this._last_lr = this.optimizer.param_groups.map((group) => group.lr);
  }
  step() {
    if (arguments.length) throw new TypeError('ChainedScheduler.step: takes no arguments');
    for (const s of this._schedulers) s.step();
    this._last_lr = this.optimizer.param_groups.map((group) => group.lr);
  }
}

// ------------------------------------------------------------------ ReduceLROnPlateau

/** Not an LRScheduler (as in PyTorch): steps on a metric, lowers lrs on plateaus. */
export class ReduceLROnPlateau {
  constructor(...args) {
    const c = 'ReduceLROnPlateau';
    const a = bind(c, args, [['optimizer'], ['mode', 'min'], ['factor', 0.1], ['patience', 10], ['threshold', 1e-4],
      ['threshold_mode', 'rel'], ['cooldown', 0], ['min_lr', 0], ['eps', 1e-8], ['verbose', false]]);
    checkNum(c, 'factor', a.factor);
    if (a.factor >= 1.0) throw new RangeError(`${c}: Factor should be < 1.0.`);
    this.factor = a.factor;
    const optimizer = checkOptimizer(c, a.optimizer);
    hide(this, 'optimizer', optimizer);
    hide(this, '_warned', new Set());
    const n = optimizer.param_groups.length;
    if (Array.isArray(a.min_lr)) {
      if (a.min_lr.length !== n) throw new RangeError(`${c}: expected ${n} min_lrs, got ${a.min_lr.length}`);
      a.min_lr.forEach((v, i) => checkNum(c, `min_lr[${i}]`, v));
      this.min_lrs = [...a.min_lr];
    } else {
      this.min_lrs = new Array(n).fill(checkNum(c, 'min_lr', a.min_lr));
    }
    this.patience = checkNum(c, 'patience', a.patience);
    this.verbose = checkBool(c, 'verbose', a.verbose);
    this.cooldown = checkNum(c, 'cooldown', a.cooldown);
    this.cooldown_counter = 0;
    this.mode = a.mode;
    this.threshold = checkNum(c, 'threshold', a.threshold);
    this.threshold_mode = a.threshold_mode;
    this.best = null;
    this.num_bad_epochs = null;
    this.mode_worse = null;
    this.eps = checkNum(c, 'eps', a.eps);
    this.last_epoch = 0;
    this._init_is_better(c);
    cInit(this, c, [a.mode === 'min' ? 0 : 1, this.factor, this.patience, this.threshold,
      a.threshold_mode === 'rel' ? 0 : 1, this.cooldown, this.eps]);
  }

  _init_is_better(call) {
    if (this.mode !== 'min' && this.mode !== 'max') throw new RangeError(`${call}: mode ${this.mode} is unknown!`);
    if (this.threshold_mode !== 'rel' && this.threshold_mode !== 'abs')
      throw new RangeError(`${call}: threshold mode ${this.threshold_mode} is unknown!`);
    this.mode_worse = this.mode === 'min' ? Infinity : -Infinity;
  }

  get in_cooldown() { return this.cooldown_counter > 0; }

  /** step(metrics): a number or a one-element Tensor; NaN and infinities are errors. */
  step(metrics, epoch) {
    const c = 'ReduceLROnPlateau.step';
    let current = metrics;
    if (current && typeof current === 'object' && typeof current.item === 'function') current = current.item();
    if (typeof current !== 'number') throw typeError(c, 'a number (or a one-element Tensor) for metrics', metrics);
    if (!Number.isFinite(current))
      throw new RangeError(`${c}: expected a finite metric, got ${current} (check the loss for NaN / Inf; the schedule was not changed)`);
    const given = epoch !== undefined && epoch !== null;
    if (given) {
      checkEpoch(c, epoch);
      this._warnOnce(EPOCH_DEPRECATION_WARNING);
    }
    const groups = this.optimizer.param_groups;
    const n = groups.length;
    if (this.min_lrs.length !== n) throw new Error(`${c}: the optimizer has ${n} param groups, min_lrs has ${this.min_lrs.length}`);
    const state = pack(this, 'ReduceLROnPlateau');
    const lrs = Float64Array.from(groups, (group, i) => groupLr(c, group, i));
    const old = Float64Array.from(lrs);
    const min_lrs = Float64Array.from(this.min_lrs);
    const status = withHeap([state, lrs, min_lrs], (ps, pl, pm) =>
      k.k_sched_step(KIND.ReduceLROnPlateau, OP.STEP, ps, current, pl, n, pm, n));
    if (status < 0) raise(status);
    unpack(this, 'ReduceLROnPlateau', state);
    if (given) this.last_epoch = epoch;
    const shown = given ? epoch : this.last_epoch;
    groups.forEach((group, i) => {
      if (lrs[i] === old[i]) return;
      group.lr = lrs[i];
      if (this.verbose) console.log(`Epoch ${formatEpoch(shown)}: reducing learning rate of group ${i} to ${formatE4(lrs[i])}.`);
    });
    this._last_lr = groups.map((group) => group.lr);
  }

  _warnOnce(message) { LRScheduler.prototype._warnOnce.call(this, message); }

  /** The lrs after the last step (the groups' current lrs before the first). */
  get_last_lr() {
    return (this._last_lr ?? this.optimizer.param_groups.map((group) => group.lr)).slice();
  }

  state_dict() {
    return copyState({ ...this });
  }

  load_state_dict(state_dict) {
    const call = 'ReduceLROnPlateau.load_state_dict';
    loadState(this, call, state_dict);
    this._init_is_better(call);
  }
}

// The methods' signatures (args.js): an options object given to any of them is checked.
signatures(LRScheduler, ['LRScheduler.step(epoch=null)', 'LRScheduler.print_lr(is_verbose, group, lr, epoch=null)',
  'LRScheduler.get_last_lr()', 'LRScheduler.state_dict()', 'LRScheduler.load_state_dict(state_dict: any)']);
signatures(LambdaBase, ['LambdaBase.get_lr()']);
signatures(Composite, ['Composite.state_dict()', 'Composite.load_state_dict(state_dict: any)']);
signatures(SequentialLR, ['SequentialLR.step()']);
signatures(ChainedScheduler, ['ChainedScheduler.step()']);
signatures(ReduceLROnPlateau, ['ReduceLROnPlateau.step(metrics, epoch=null)', 'ReduceLROnPlateau.get_last_lr()',
  'ReduceLROnPlateau.state_dict()', 'ReduceLROnPlateau.load_state_dict(state_dict: any)']);
