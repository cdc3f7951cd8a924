// lr-scheduler.test.js: PyTorch parity of torch.optim.lr_scheduler (issue 4). Replays every
// case of tests/fixtures/sched.json (made by tests/fixtures/generate_sched.py from PyTorch
// 1.13) through the public JS API — lr and momentum sequences, step(epoch), errors, verbose
// output, the final state_dict, and a state_dict round trip mid-run — first on a minimal
// stand-in optimizer, then on kindling's real torch.optim optimizers. Then argument errors
// (each leaves the optimizer and any scheduler usable), the argument conventions, and
// PyTorch's warnings.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../dist/index.js';
import { loadFixture } from './helpers.js';

const L = torch.optim.lr_scheduler;
const fixture = loadFixture('sched.json');

// The user functions of the fixture (FNS in generate_sched.py), written the same way in JS.
const FNS = {
  exp95: (e) => 0.95 ** e,
  floor30: (e) => Math.floor(e / 30),
  warmup10: (e) => Math.min(1.0, (e + 1) / 10),
  const09: () => 0.9,
  alt: (e) => (e % 2 === 0 ? 0.95 : 1.02),
  inv: (x) => 1 / x,
  exp99: (x) => 0.99 ** x,
};

// The sequences come out of the same double-precision formulas; they differ from PyTorch's
// only where wasm's libm (cos, pow) and glibc's round differently, or V8's ** and CPython's.
const RTOL = 1e-9;
const ATOL = 1e-18; // lrs that cancel to ~0 (cosine annealing to eta_min = 0)
const stats = { values: 0, exact: 0, maxRel: 0, worst: '' };
after(() => {
  console.log(`lr-scheduler parity: ${stats.values} values, ${stats.exact} bit-exact, max relative error ` +
    `${stats.maxRel.toExponential(2)}${stats.worst ? ` (${stats.worst})` : ''}`);
});

function close(actual, expected, label) {
  stats.values++;
  if (actual === expected) { stats.exact++; return; }
  assert.equal(typeof actual, 'number', `${label}: got ${actual}, expected ${expected}`);
  const err = Math.abs(actual - expected);
  const rel = err / Math.max(Math.abs(expected), 1e-300);
  if (rel > stats.maxRel && Math.abs(expected) > ATOL / RTOL) { stats.maxRel = rel; stats.worst = label; }
  assert.ok(err <= ATOL + RTOL * Math.abs(expected), `${label}: got ${actual}, expected ${expected} (relative error ${rel})`);
}

/** Deep comparison of a JSON-safe state: numbers within tolerance, the same keys. */
function sameState(actual, expected, label) {
  if (typeof expected === 'number') return close(actual, expected, label);
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${label}: expected an array, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${label}: length`);
    return expected.forEach((x, i) => sameState(actual[i], x, `${label}[${i}]`));
  }
  if (expected && typeof expected === 'object') {
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${label}: keys`);
    return Object.keys(expected).forEach((key) => sameState(actual[key], expected[key], `${label}.${key}`));
  }
  assert.equal(actual, expected, label);
}

/** The fixture's JSON form of a state_dict: infinities as strings. */
function jsonState(v) {
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (Array.isArray(v)) return v.map(jsonState);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([key, x]) => [key, jsonState(x)]));
  return v;
}

// ------------------------------------------------------------------ optimizers

const OPT_DEFAULTS = {
  SGD: { momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, maximize: false },
  Adam: { betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, maximize: false },
  Adagrad: { lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10 },
};

/** What schedulers need of an optimizer: param_groups, defaults, _step_count. */
class StandInOptimizer {
  constructor(type, defaults, groups) {
    this.defaults = { ...OPT_DEFAULTS[type], ...defaults };
    this.param_groups = groups.map((g) => ({ params: [], ...structuredClone(this.defaults), ...structuredClone(g) }));
    this._step_count = 0;
  }
  step() { this._step_count++; }
  state_dict() {
    return { state: {}, param_groups: this.param_groups.map(({ params, ...rest }) => structuredClone(rest)) };
  }
  load_state_dict(sd) {
    sd.param_groups.forEach((g, i) => Object.assign(this.param_groups[i], structuredClone(g)));
  }
}

const standIn = (spec) => new StandInOptimizer(spec.type, spec.defaults, spec.groups);
const real = (spec) => new torch.optim[spec.type](
  spec.groups.map((g) => ({ params: [torch.zeros([1], { requires_grad: true })], ...g })), spec.defaults);

function build(spec, opt) {
  const resolve = (v) => {
    if (Array.isArray(v)) return v.map(resolve);
    if (v && typeof v === 'object' && 'fn' in v) return FNS[v.fn];
    if (v && typeof v === 'object' && 'cls' in v) return build(v, opt);
    return v;
  };
  const kwargs = Object.fromEntries(Object.entries(spec.kwargs).map(([key, v]) => [key, resolve(v)]));
  return spec.cls === 'ChainedScheduler' ? new L.ChainedScheduler(kwargs) : new L[spec.cls](opt, kwargs);
}

/** Collects console.log / console.warn lines while fn runs. */
function capture(fn) {
  const out = { log: [], warn: [] };
  const { log, warn } = console;
  console.log = (...a) => out.log.push(a.join(' '));
  console.warn = (...a) => out.warn.push(a.join(' '));
  try {
    out.result = fn();
  } finally {
    console.log = log;
    console.warn = warn;
  }
  return out;
}

const momentaOf = (opt, key) => opt.param_groups.map((g) => (key === 'betas' ? g.betas[0] : g.momentum));

/** Runs a fixture case as generate_sched.py's run() does. */
function run(c, makeOpt, resumeAt = null) {
  const key = c.momentum_key;
  const res = { lrs: [], momentum: [], error: null, state: null };
  const out = capture(() => {
    let opt = makeOpt(c.optimizer);
    let sched;
    try {
      sched = build(c.scheduler, opt);
    } catch (e) {
      res.error = { at: 0, e };
      return;
    }
    res.lrs.push(opt.param_groups.map((g) => g.lr));
    if (key) res.momentum.push(momentaOf(opt, key));
    for (let t = 1; t <= c.steps; t++) {
      if (resumeAt !== null && t - 1 === resumeAt) {
        // Through JSON, as a user would save it (ReduceLROnPlateau's +-Infinity mode_worse
        // becomes null and is restored from mode by load_state_dict).
        const savedOpt = opt.state_dict();
        const savedSched = JSON.parse(JSON.stringify(sched.state_dict()));
        opt = makeOpt(c.optimizer);
        sched = build(c.scheduler, opt);
        opt.load_state_dict(savedOpt);
        sched.load_state_dict(savedSched);
      }
      opt.step();
      const epoch = c.epochs ? c.epochs[t - 1] : null;
      try {
        if (c.metrics) sched.step(c.metrics[t - 1], epoch);
        else if (epoch === null) sched.step();
        else sched.step(epoch);
      } catch (e) {
        res.error = { at: t, e };
        break;
      }
      res.lrs.push(opt.param_groups.map((g) => g.lr));
      if (key) res.momentum.push(momentaOf(opt, key));
    }
    res.state = jsonState(sched.state_dict());
  });
  res.stdout = out.log;
  res.warnings = out.warn;
  return res;
}

function checkRun(c, r, label) {
  if (c.error) {
    assert.ok(r.error, `${label}: expected PyTorch's ${c.error.type} at step ${c.error.at}: ${c.error.message}`);
    assert.equal(r.error.at, c.error.at, `${label}: raised at step ${r.error.at}: ${r.error.e.message}`);
    assert.ok(r.error.e instanceof Error);
    assert.ok(r.error.e.message.includes(c.error.message), `${label}: message '${r.error.e.message}' lacks '${c.error.message}'`);
    if (c.error.at > 0) assert.match(r.error.e.message, new RegExp(`^${c.scheduler.cls}\\.step: `));
  } else if (r.error) {
    throw r.error.e;
  }
  assert.equal(r.lrs.length, c.lrs.length, `${label}: number of recorded steps`);
  c.lrs.forEach((row, t) => row.forEach((lr, i) => close(r.lrs[t][i], lr, `${label}: lr of group ${i} after step ${t}`)));
  if (c.momentum)
    c.momentum.forEach((row, t) => row.forEach((m, i) =>
      close(r.momentum[t][i], m, `${label}: ${c.momentum_key} of group ${i} after step ${t}`)));
  if (c.state) sameState(r.state, c.state, `${label}: state_dict`);
  // Every case calls optimizer.step() before scheduler.step(): no order warning. step(epoch)
  // warns once (but not CosineAnnealingWarmRestarts, whose step(epoch) is not deprecated).
  assert.ok(!r.warnings.some((w) => w.includes('before `optimizer.step()`')), `${label}: unexpected order warning`);
  const deprecated = r.warnings.filter((w) => w.includes('The epoch parameter'));
  const expectDeprecation = !!c.epochs && c.scheduler.cls !== 'CosineAnnealingWarmRestarts' && !(c.error && c.error.at === 0);
  assert.equal(deprecated.length, expectDeprecation ? 1 : 0, `${label}: deprecation warnings ${JSON.stringify(r.warnings)}`);
}

// ------------------------------------------------------------------ parity

const families = new Map();
for (const c of fixture.cases) {
  const family = c.scheduler.cls;
  if (!families.has(family)) families.set(family, []);
  families.get(family).push(c);
}

for (const [family, cases] of families) {
  test(`${family} matches PyTorch`, async (t) => {
    for (const c of cases) {
      await t.test(c.name, () => {
        const r = run(c, standIn);
        checkRun(c, r, c.name);
        if (c.stdout) assert.deepEqual(r.stdout, c.stdout, `${c.name}: verbose output`);
        if (c.resume_at !== undefined && c.resume_at !== null) {
          const resumed = run(c, standIn, c.resume_at);
          checkRun(c, resumed, `${c.name} (resumed from a state_dict after ${c.resume_at} steps)`);
          assert.deepEqual(resumed.lrs, r.lrs, `${c.name}: the resumed run must equal the uninterrupted one exactly`);
          assert.deepEqual(resumed.momentum, r.momentum);
        }
      });
    }
  });
}

test('every scheduler matches PyTorch on kindling optimizers too (SGD, Adam, Adagrad)', async (t) => {
  for (const c of fixture.cases) {
    await t.test(c.name, () => {
      checkRun(c, run(c, real), `${c.name} [real ${c.optimizer.type}]`);
      if (c.resume_at !== undefined && c.resume_at !== null)
        checkRun(c, run(c, real, c.resume_at), `${c.name} [real ${c.optimizer.type}, resumed]`);
    });
  }
});

test('the fixture covers every scheduler, >= 60 steps, resumes, errors and verbose output', () => {
  const classes = new Set();
  const visit = (spec) => {
    classes.add(spec.cls);
    for (const v of Object.values(spec.kwargs)) if (Array.isArray(v)) v.forEach((x) => x && x.cls && visit(x));
  };
  fixture.cases.forEach((c) => visit(c.scheduler));
  for (const name of ['StepLR', 'MultiStepLR', 'ConstantLR', 'LinearLR', 'ExponentialLR', 'PolynomialLR', 'CosineAnnealingLR',
    'CosineAnnealingWarmRestarts', 'CyclicLR', 'OneCycleLR', 'ReduceLROnPlateau', 'LambdaLR', 'MultiplicativeLR',
    'SequentialLR', 'ChainedScheduler'])
    assert.ok(classes.has(name), name);
  for (const c of fixture.cases) if (!c.error) assert.ok(c.steps >= 60, c.name);
  assert.ok(fixture.cases.filter((c) => c.resume_at != null).length >= 15);
  assert.ok(fixture.cases.some((c) => c.error && c.error.message.startsWith('Tried to step')));
});

// ------------------------------------------------------------------ conventions

const sgd = (...lrs) => new StandInOptimizer('SGD', { lr: lrs[0], momentum: 0.9 }, lrs.map((lr) => ({ lr })));
const steps = (s, n) => Array.from({ length: n }, () => (s.optimizer.step?.(), s.step(), s.get_last_lr()));
const quiet = (fn) => capture(fn).result;

test('positional arguments, an options object, or both', () => {
  const a = quiet(() => steps(new L.StepLR(sgd(0.1), 3, 0.5), 10));
  const b = quiet(() => steps(new L.StepLR(sgd(0.1), { step_size: 3, gamma: 0.5 }), 10));
  const c = quiet(() => steps(new L.StepLR(sgd(0.1), 3, { gamma: 0.5 }), 10));
  assert.deepEqual(a, b);
  assert.deepEqual(a, c);
  assert.equal(a[9][0], 0.1 * 0.5 ** 3);
  const p = quiet(() => {
    const opt = sgd(0.1);
    const s = new L.ReduceLROnPlateau(opt, 'max', 0.5, 0);
    for (let i = 0; i < 3; i++) s.step(0.5);
    return opt.param_groups[0].lr;
  });
  assert.equal(p, 0.1 * 0.5 * 0.5);
  assert.throws(() => new L.StepLR(sgd(0.1), 3, { step_size: 4 }), /StepLR: got multiple values for argument 'step_size'/);
});

test('schedulers are _LRScheduler instances with PyTorch attributes; get_last_lr returns a copy', () => {
  quiet(() => {
    const opt = sgd(0.1, 0.2);
    const s = new L.ExponentialLR(opt, 0.5);
    assert.ok(s instanceof L.LRScheduler && s instanceof L._LRScheduler);
    assert.ok(!(new L.ReduceLROnPlateau(opt) instanceof L.LRScheduler)); // as in PyTorch 1.13
    assert.equal(s.optimizer, opt);
    assert.deepEqual(s.base_lrs, [0.1, 0.2]);
    assert.equal(s.last_epoch, 0);
    assert.deepEqual(opt.param_groups.map((g) => g.initial_lr), [0.1, 0.2]);
    const last = s.get_last_lr();
    last[0] = 99;
    assert.deepEqual(s.get_last_lr(), [0.1, 0.2]);
    assert.ok(!('optimizer' in s.state_dict()));
  });
});

test('a user subclass of LRScheduler with get_lr() works like PyTorch\'s', () => {
  class Halving extends L.LRScheduler {
    constructor(opt, every, options) {
      super(opt, options?.last_epoch, options?.verbose);
      this.every = every;
      this._initial_step();
    }
    get_lr() {
      return this.optimizer.param_groups.map((g) => (this.last_epoch > 0 && this.last_epoch % this.every === 0 ? g.lr / 2 : g.lr));
    }
  }
  const opt = sgd(0.8);
  const s = new Halving(opt, 3);
  assert.deepEqual(quiet(() => steps(s, 7)).map(([lr]) => lr), [0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2]);
  assert.deepEqual(Object.keys(s.state_dict()).sort(), ['_get_lr_called_within_step', '_last_lr', '_step_count', 'base_lrs', 'every', 'last_epoch', 'verbose']);
  class Broken extends L.LRScheduler {
    constructor(opt) { super(opt); this._initial_step(); }
    get_lr() { return 0.1; }
  }
  assert.throws(() => new Broken(sgd(0.1)), /^TypeError: Broken\.step: expected get_lr\(\) to return an array of 1 numbers, got number 0.1/);
  assert.throws(() => new L.LRScheduler(sgd(0.1)).get_lr(), /LRScheduler\.get_lr: not implemented/);
});

test('a tensor metric works for ReduceLROnPlateau', () => {
  const opt = sgd(0.1);
  const s = new L.ReduceLROnPlateau(opt, { patience: 0 });
  s.step(torch.tensor([1.0]).sum());
  s.step(torch.tensor(2.0));
  assert.equal(opt.param_groups[0].lr, 0.1 * 0.1);
});

// ------------------------------------------------------------------ errors

const groupsOf = (opt) => JSON.stringify(opt.param_groups.map(({ params, ...rest }) => rest));

// [what, make(opt) that must throw, class, message pattern]
const badArguments = [
  ['negative step_size', (o) => new L.StepLR(o, -1), RangeError, /^StepLR: Expected positive integer step_size, but got -1$/],
  ['fractional step_size', (o) => new L.StepLR(o, { step_size: 2.5 }), RangeError, /^StepLR: Expected positive integer step_size, but got 2.5$/],
  ['gamma not a number', (o) => new L.StepLR(o, 3, '0.1'), TypeError, /^StepLR: expected a number for 'gamma', got the string '0.1'$/],
  ['gamma NaN', (o) => new L.ExponentialLR(o, NaN), TypeError, /^ExponentialLR: expected a number for 'gamma', got number NaN$/],
  ['missing gamma', (o) => new L.ExponentialLR(o), TypeError, /^ExponentialLR: missing required argument 'gamma'$/],
  ['unknown option name', (o) => new L.StepLR(o, { step_size: 3, gama: 0.5 }), TypeError,
    /^StepLR: unknown option 'gama'; valid options are: optimizer, step_size, gamma, last_epoch, verbose$/],
  ['unknown option of ReduceLROnPlateau', (o) => new L.ReduceLROnPlateau(o, { minLr: 0.1 }), TypeError,
    /^ReduceLROnPlateau: unknown option 'minLr'; valid options are: optimizer, mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps, verbose$/],
  ['not an optimizer', () => new L.StepLR({ lr: 0.1 }, 3), TypeError, /^StepLR: expected an Optimizer \(an object with param_groups\)/],
  ['unknown mode', (o) => new L.ReduceLROnPlateau(o, { mode: 'minimum' }), RangeError, /^ReduceLROnPlateau: mode minimum is unknown!$/],
  ['unknown threshold_mode', (o) => new L.ReduceLROnPlateau(o, { threshold_mode: 'foo' }), RangeError,
    /^ReduceLROnPlateau: threshold mode foo is unknown!$/],
  ['factor >= 1', (o) => new L.ReduceLROnPlateau(o, { factor: 1.0 }), RangeError, /^ReduceLROnPlateau: Factor should be < 1.0.$/],
  ['min_lr list of the wrong length', (o) => new L.ReduceLROnPlateau(o, { min_lr: [0, 0, 0] }), RangeError,
    /^ReduceLROnPlateau: expected 2 min_lrs, got 3$/],
  ['ConstantLR factor > 1', (o) => new L.ConstantLR(o, 1.5), RangeError,
    /^ConstantLR: Constant multiplicative factor expected to be between 0 and 1.$/],
  ['LinearLR end_factor < 0', (o) => new L.LinearLR(o, { end_factor: -0.1 }), RangeError,
    /^LinearLR: Ending multiplicative factor expected to be between 0 and 1.$/],
  ['T_0 = -1', (o) => new L.CosineAnnealingWarmRestarts(o, -1), RangeError,
    /^CosineAnnealingWarmRestarts: Expected positive integer T_0, but got -1$/],
  ['T_mult = 0', (o) => new L.CosineAnnealingWarmRestarts(o, 5, 0), RangeError,
    /^CosineAnnealingWarmRestarts: Expected integer T_mult >= 1, but got 0$/],
  ['T_max = 0', (o) => new L.CosineAnnealingLR(o, 0), RangeError, /^CosineAnnealingLR: Expected positive T_max, but got 0$/],
  ['CyclicLR unknown mode', (o) => new L.CyclicLR(o, 0.01, 0.1, { mode: 'tri' }), RangeError,
    /^CyclicLR: mode is invalid and scale_fn is None$/],
  ['CyclicLR base_lr list of the wrong length', (o) => new L.CyclicLR(o, [0.01], 0.1), RangeError,
    /^CyclicLR: expected 2 values for base_lr, got 1$/],
  ['OneCycleLR without a length', (o) => new L.OneCycleLR(o, 0.1), TypeError,
    /^OneCycleLR: You must define either total_steps OR \(epochs AND steps_per_epoch\)$/],
  ['OneCycleLR total_steps = 0', (o) => new L.OneCycleLR(o, 0.1, 0), RangeError,
    /^OneCycleLR: Expected positive integer total_steps, but got 0$/],
  ['OneCycleLR pct_start = 1.5', (o) => new L.OneCycleLR(o, 0.1, { total_steps: 10, pct_start: 1.5 }), RangeError,
    /^OneCycleLR: Expected float between 0 and 1 pct_start, but got 1.5$/],
  ['OneCycleLR anneal_strategy', (o) => new L.OneCycleLR(o, 0.1, { total_steps: 10, anneal_strategy: 'cosine' }), RangeError,
    /^OneCycleLR: anneal_strategy must by one of 'cos' or 'linear', instead got cosine$/],
  ['OneCycleLR div_factor = 0', (o) => new L.OneCycleLR(o, 0.1, { total_steps: 10, div_factor: 0 }), Error,
    /^OneCycleLR: float division by zero$/],
  ['OneCycleLR cycling momentum of an optimizer without one', () => new L.OneCycleLR(new StandInOptimizer('Adagrad', { lr: 0.1 }, [{ lr: 0.1 }]), 0.1, 10),
    TypeError, /^OneCycleLR: optimizer must support momentum with `cycle_momentum` option enabled$/],
  ['LambdaLR with too few lambdas', (o) => new L.LambdaLR(o, [FNS.exp95]), RangeError, /^LambdaLR: Expected 2 lr_lambdas, but got 1$/],
  ['MultiplicativeLR with a number', (o) => new L.MultiplicativeLR(o, 0.9), TypeError,
    /^MultiplicativeLR: expected a function or an array of functions for lr_lambda, got number 0.9$/],
  ['resuming without initial_lr', (o) => new L.StepLR(o, 3, { last_epoch: 4 }), Error,
    /^StepLR: param 'initial_lr' is not specified in param_groups\[0\] when resuming an optimizer$/],
  ['SequentialLR with a wrong number of milestones', (o) => new L.SequentialLR(o, [new L.ConstantLR(o), new L.ExponentialLR(o, 0.9)], []),
    RangeError, /^SequentialLR: Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers 2 and the number of milestones to be equal to 0$/],
  ['ChainedScheduler over two optimizers', (o) => new L.ChainedScheduler([new L.ConstantLR(o), new L.ExponentialLR(sgd(0.1), 0.9)]),
    Error, /^ChainedScheduler: ChainedScheduler expects all schedulers to belong to the same optimizer, but got schedulers at index 0 and 1 to be different$/],
  ['SequentialLR over ReduceLROnPlateau', (o) => new L.SequentialLR(o, [new L.ConstantLR(o), new L.ReduceLROnPlateau(o)], [3]),
    TypeError, /^SequentialLR: schedulers\[1\] is a ReduceLROnPlateau/],
];

test('bad arguments give clear errors and leave the optimizer untouched', async (t) => {
  for (const [what, make, cls, pattern] of badArguments) {
    await t.test(what, () => {
      const opt = sgd(0.1, 0.05);
      const needsSubs = /Sequential|Chained/.test(what);
      const before = groupsOf(opt);
      const err = capture(() => { try { make(opt); } catch (e) { return e; } return null; }).result;
      assert.ok(err, `${what}: no error`);
      assert.ok(err instanceof cls, `${what}: ${err.constructor.name} (${err.message}), expected ${cls.name}`);
      assert.match(err.message, pattern);
      if (!needsSubs) assert.equal(groupsOf(opt), before, `${what}: the failed constructor changed the optimizer`);
      // ... and the optimizer still takes a scheduler (the compositions' children made
      // their initial steps before the composition failed, as in PyTorch).
      const lrs = opt.param_groups.map((g) => g.lr);
      const s = quiet(() => new L.StepLR(opt, 2, 0.5));
      quiet(() => steps(s, 4));
      assert.deepEqual(s.get_last_lr(), lrs.map((lr) => lr * 0.5 * 0.5));
    });
  }
});

test('a NaN, infinite or non-number metric is an error and changes nothing', () => {
  const metrics = [1.0, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8];
  const reference = sgd(0.1);
  const ref = new L.ReduceLROnPlateau(reference, { patience: 1, factor: 0.5 });
  const opt = sgd(0.1);
  const s = new L.ReduceLROnPlateau(opt, { patience: 1, factor: 0.5 });
  metrics.forEach((m, i) => {
    ref.step(m);
    if (i === 3) {
      const before = JSON.stringify(s.state_dict());
      assert.throws(() => s.step(NaN), { name: 'RangeError', message: /^ReduceLROnPlateau\.step: expected a finite metric, got NaN/ });
      assert.throws(() => s.step(Infinity), /^RangeError: ReduceLROnPlateau\.step: expected a finite metric, got Infinity/);
      assert.throws(() => s.step(-Infinity), RangeError);
      assert.throws(() => s.step('0.5'), { name: 'TypeError', message: /^ReduceLROnPlateau\.step: expected a number \(or a one-element Tensor\) for metrics, got the string '0.5'$/ });
      assert.throws(() => s.step(), TypeError);
      assert.throws(() => s.step(torch.tensor(NaN)), RangeError);
      assert.equal(JSON.stringify(s.state_dict()), before);
    }
    s.step(m);
    assert.equal(opt.param_groups[0].lr, reference.param_groups[0].lr, `after metric ${i}`);
  });
  assert.equal(opt.param_groups[0].lr, 0.1 * 0.5 ** 3);
  assert.deepEqual(s.state_dict(), ref.state_dict());
});

test('OneCycleLR stepped past total_steps throws, then still reports its state', () => {
  const opt = sgd(0.1);
  const s = new L.OneCycleLR(opt, 0.1, { total_steps: 5 });
  quiet(() => steps(s, 5));
  const last = s.get_last_lr();
  assert.throws(() => quiet(() => s.step()), { name: 'Error', message: 'OneCycleLR.step: Tried to step 7 times. The specified number of total steps is 5' });
  assert.deepEqual(s.get_last_lr(), last);
  assert.equal(opt.param_groups[0].lr, last[0]);
  assert.equal(s.state_dict().last_epoch, 6); // advanced, as PyTorch's
  assert.throws(() => quiet(() => s.step()), /Tried to step 8 times/);
  assert.deepEqual(quiet(() => { s.step(2); return s.get_last_lr(); }).length, 1); // step(epoch) still works
});

test('step errors: CosineAnnealingWarmRestarts negative epoch, non-number epoch, extra arguments', () => {
  const opt = sgd(0.1);
  const s = new L.CosineAnnealingWarmRestarts(opt, 5);
  const before = JSON.stringify(s.state_dict());
  assert.throws(() => s.step(-1), { name: 'RangeError', message: 'CosineAnnealingWarmRestarts.step: Expected non-negative epoch, but got -1' });
  assert.equal(JSON.stringify(s.state_dict()), before);
  assert.throws(() => s.step('3'), { name: 'TypeError', message: /^CosineAnnealingWarmRestarts\.step: expected a finite number for epoch/ });
  const e = new L.ExponentialLR(sgd(0.1), 0.5);
  assert.throws(() => e.step(1, 2), TypeError);
  const q = new L.SequentialLR(opt, [new L.ConstantLR(opt), new L.ExponentialLR(opt, 0.9)], [2]);
  assert.throws(() => q.step(3), { name: 'TypeError', message: 'SequentialLR.step: takes no arguments (1 given)' });
  quiet(() => steps(s, 3));
});

test('load_state_dict accepts a JSON round trip and rejects non-objects', () => {
  const opt = sgd(0.1, 0.2);
  const s = new L.MultiStepLR(opt, [2, 4, 4], 0.5);
  quiet(() => steps(s, 3));
  const sd = JSON.parse(JSON.stringify(s.state_dict()));
  assert.deepEqual(sd.milestones, { 2: 1, 4: 2 }); // PyTorch's Counter
  const opt2 = sgd(0.1, 0.2);
  const s2 = new L.MultiStepLR(opt2, [9], 0.1);
  s2.load_state_dict(sd);
  opt2.load_state_dict(opt.state_dict());
  assert.deepEqual(quiet(() => steps(s2, 4)), quiet(() => steps(s, 4)));
  assert.throws(() => s.load_state_dict(null), /^TypeError: MultiStepLR\.load_state_dict: expected a state_dict object, got null/);
  const bad = new L.StepLR(sgd(0.1), 2);
  bad.load_state_dict({ gamma: 'x' });
  assert.throws(() => bad.step(), /^TypeError: StepLR: state field 'gamma' is the string 'x'/);
  class Warm extends L.StepLR {} // a subclass keeps its parent's arithmetic
  assert.deepEqual(quiet(() => steps(new Warm(sgd(0.1), 1, 0.5), 2)), [[0.05], [0.025]]);
});

// ------------------------------------------------------------------ warnings

const ORDER = 'Detected call of `lr_scheduler.step()` before `optimizer.step()`';

test('warns (once) when scheduler.step() comes before optimizer.step()', () => {
  const opt = sgd(0.1);
  const out = capture(() => {
    const s = new L.StepLR(opt, 2);
    s.step();
    s.step();
    s.step();
  });
  assert.equal(out.warn.length, 1);
  assert.ok(out.warn[0].startsWith(`UserWarning: ${ORDER}`), out.warn[0]);
  // In the right order there is no warning, with a stand-in or a real optimizer.
  for (const make of [() => sgd(0.1), () => new torch.optim.SGD([torch.zeros([2], { requires_grad: true })], { lr: 0.1, momentum: 0.9 })]) {
    const o = make();
    const right = capture(() => {
      const s = new L.CosineAnnealingLR(o, 10);
      for (let i = 0; i < 3; i++) { o.step(); s.step(); }
    });
    assert.deepEqual(right.warn, []);
  }
  // A real optimizer's counter is reset by the scheduler's constructor, as PyTorch's.
  const o = new torch.optim.Adam([torch.zeros([2], { requires_grad: true })], { lr: 0.1 });
  o.step();
  const late = capture(() => { const s = new L.ExponentialLR(o, 0.9); s.step(); });
  assert.equal(late.warn.length, 1);
  assert.ok(late.warn[0].includes(ORDER));
});

test('step(epoch) warns the deprecation once per scheduler; SequentialLR does not', () => {
  const opt = sgd(0.1);
  const out = capture(() => {
    const s = new L.StepLR(opt, 2);
    opt.step();
    s.step(3);
    s.step(4);
    const q = new L.SequentialLR(opt, [new L.ConstantLR(opt, 0.5, 2), new L.StepLR(opt, 2)], [3]);
    for (let i = 0; i < 6; i++) { opt.step(); q.step(); }
  });
  assert.equal(out.warn.length, 1, out.warn.join('\n'));
  assert.ok(out.warn[0].startsWith('UserWarning: The epoch parameter in `scheduler.step()` was not necessary'));
});

test('verbose prints PyTorch 1.13\'s lines to console.log', () => {
  const out = capture(() => {
    const opt = sgd(0.0123456, 1e-9);
    const s = new L.StepLR(opt, 1, { gamma: 0.5, verbose: true });
    opt.step();
    s.step();
    s.step(12);
    const p = new L.ReduceLROnPlateau(opt, { patience: 0, verbose: true });
    p.step(1);
    p.step(2);
    p.step(3, 7.5);
  });
  assert.deepEqual(out.log, [
    'Adjusting learning rate of group 0 to 1.2346e-02.',
    'Adjusting learning rate of group 1 to 1.0000e-09.',
    'Adjusting learning rate of group 0 to 6.1728e-03.',
    'Adjusting learning rate of group 1 to 5.0000e-10.',
    'Epoch 00012: adjusting learning rate of group 0 to 3.0141e-06.',
    'Epoch 00012: adjusting learning rate of group 1 to 2.4414e-13.',
    'Epoch 00002: reducing learning rate of group 0 to 3.0141e-07.',
    'Epoch 7.50: reducing learning rate of group 0 to 3.0141e-08.',
  ]);
});
