// serialization.test.js: torch.save / torch.load (issue 5 part 4) against real PyTorch.
// - kindling reads the committed files PyTorch wrote (tests/fixtures/pt, made by
//   generate_pt.py) and gets exactly the values PyTorch loads from them (expected.json);
//   PyTorch's SmallCNN state_dict gives PyTorch's logits in kindling's SmallCNN;
// - kindling writes state_dicts (float32 + BatchNorm's int64) and an Adam state_dict in
//   both formats, and real PyTorch (tests/fixtures/pt_roundtrip.py) reads the same values,
//   gets kindling's logits from the same CNN, and continues Adam training to the same
//   parameters as kindling; PyTorch's torch.save of kindling's values loads back exactly;
// - kindling -> kindling round trips; hostile and corrupt files (unknown globals and
//   opcodes, truncation, bad CRC, missing entries, lying safetensors headers) are clear
//   Errors that leave no tensor behind; a failed load_state_dict changes nothing.
// The PyTorch parts are skipped, with the reason, when /usr/bin/python3 cannot import torch.
// Fuzzing is in serialization-fuzz.test.js.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync, constants as zconst } from 'node:zlib';
import * as torch from '../dist/index.js';
import { inflateRaw } from '../dist/serialization/inflate.js';
import { readZip, writeZip } from '../dist/serialization/zip.js';

const { nn, F } = torch;
const PYTHON = '/usr/bin/python3';
const HELPER = fileURLToPath(new URL('./fixtures/pt_roundtrip.py', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/pt/', import.meta.url));
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8'));
const fixture = (name) => readFileSync(join(FIXTURES, name));
const live = () => torch.memory_stats().live_tensors;

/** kindling's twin of pt_roundtrip.py's SmallCNN: (N, 1, 8, 8) -> (N, 3); conv1 has no bias (BatchNorm follows). */
class SmallCNN extends nn.Module {
  constructor() {
    super();
    this.conv1 = new nn.Conv2d(1, 4, 3, { padding: 1, bias: false });
    this.bn1 = new nn.BatchNorm2d(4);
    this.pool = new nn.MaxPool2d(2);
    this.conv2 = new nn.Conv2d(4, 6, 3);
    this.fc = new nn.Linear(6 * 2 * 2, 3);
  }
  forward(x) {
    x = this.pool(F.relu(this.bn1(this.conv1(x))));
    x = F.relu(this.conv2(x));
    return this.fc(x.flatten(1));
  }
}

// --- PyTorch's JSON encoding (pt_roundtrip.py) <-> kindling values --------------------

const FLOAT_DTYPES = new Set(['float32', 'float64', 'float16', 'bfloat16']);
const unnumber = (v) => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);
const kindlingDtype = (d) => (FLOAT_DTYPES.has(d) ? 'float32' : d === 'bool' ? 'bool' : 'int64');
const sameNumber = (a, b) => a === b || (Number.isNaN(a) && Number.isNaN(b));

/** Deep-compares a kindling value with PyTorch's JSON of the same value; exact. */
function assertMatches(actual, want, path = '<root>') {
  if (want !== null && typeof want === 'object' && !Array.isArray(want)) {
    if ('__tensor__' in want) {
      assert.ok(actual instanceof torch.Tensor, `${path}: expected a Tensor, got ${typeof actual}`);
      assert.equal(actual.dtype, kindlingDtype(want.__tensor__), `${path}: dtype (PyTorch ${want.__tensor__})`);
      assert.deepEqual(actual.shape, want.shape, `${path}: shape`);
      const values = actual.toTypedArray();
      assert.equal(values.length, want.values.length, `${path}: numel`);
      want.values.forEach((v, i) => {
        const e = typeof v === 'boolean' ? Number(v) : FLOAT_DTYPES.has(want.__tensor__) ? Math.fround(unnumber(v)) : v;
        if (!sameNumber(values[i], e)) assert.fail(`${path}[${i}]: got ${values[i]}, PyTorch has ${v}`);
      });
      return;
    }
    if ('__dict__' in want) {
      assert.ok(actual && typeof actual === 'object' && !Array.isArray(actual), `${path}: expected an object`);
      const order = {};
      for (const [k] of want.__dict__) order[String(k)] = true;
      assert.deepEqual(Object.keys(actual), Object.keys(order), `${path}: keys`);
      for (const [k, v] of want.__dict__) assertMatches(actual[String(k)], v, `${path}.${k}`);
      return;
    }
    if ('__tuple__' in want) return assertMatches(actual, want.__tuple__, path);
    assert.fail(`${path}: unknown JSON ${JSON.stringify(want).slice(0, 80)}`);
  }
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array`);
    assert.equal(actual.length, want.length, `${path}: length`);
    want.forEach((v, i) => assertMatches(actual[i], v, `${path}[${i}]`));
    return;
  }
  if (typeof want === 'number' || typeof want === 'string' && ['nan', 'inf', '-inf'].includes(want) && typeof actual === 'number')
    assert.ok(sameNumber(actual, unnumber(want)), `${path}: got ${actual}, PyTorch has ${want}`);
  else assert.equal(actual, want, `${path}`);
}

/** A kindling value as pt_roundtrip.py's JSON (so PyTorch can torch.save it). */
function toPython(v, intKeys = false) {
  if (v instanceof torch.Tensor)
    return { __tensor__: v.dtype, shape: v.shape, values: v.dtype === 'bool' ? v.tolist().flat(Infinity) : Array.from(v.toTypedArray(), (x) => (Number.isFinite(x) ? x : String(x).toLowerCase().replace('infinity', 'inf'))) };
  if (Array.isArray(v)) return v.map((x) => toPython(x));
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v);
    const optimizer = 'state' in v && 'param_groups' in v;
    return {
      __dict__: entries.map(([k, x]) => [intKeys && /^\d+$/.test(k) ? Number(k) : k, toPython(x, optimizer && k === 'state')]),
      ordered: entries.length > 0 && entries.every(([, x]) => x instanceof torch.Tensor),
    };
  }
  return v;
}

/** Runs pt_roundtrip.py; {missing: reason} when PyTorch cannot be imported (exit status 2). */
function python(args, input) {
  const r = spawnSync(PYTHON, [HELPER, ...args], { input: input === undefined ? '' : JSON.stringify(input), encoding: 'utf8', timeout: 300000, maxBuffer: 64 << 20 });
  if (r.error) return { missing: `${PYTHON} cannot run (${r.error.code ?? r.error.message})` };
  if (r.status === 2) return { missing: r.stderr.trim().split('\n').pop() };
  assert.equal(r.status, 0, `pt_roundtrip.py ${args.join(' ')} failed: ${r.stderr}`);
  return { result: r.stdout.trim() ? JSON.parse(r.stdout) : null };
}

function assertClose(actual, want, tol, label) {
  const a = actual.toTypedArray();
  const e = want.values.map(unnumber);
  assert.deepEqual(actual.shape, want.shape, `${label}: shape`);
  let worst = 0;
  e.forEach((x, i) => { worst = Math.max(worst, Math.abs(a[i] - x)); });
  assert.ok(worst <= tol, `${label}: max |difference| ${worst} > ${tol}`);
  return worst;
}

function disposeAll(v, seen = new Set()) {
  if (v instanceof torch.Tensor) return v.dispose();
  if (v === null || typeof v !== 'object' || seen.has(v)) return undefined;
  seen.add(v);
  for (const x of Object.values(v)) disposeAll(x, seen);
  return undefined;
}

/** Asserts that fn throws an Error matching re, and that no tensor is left behind. */
function assertLoadError(fn, re, label) {
  const before = live();
  assert.throws(fn, (e) => {
    assert.ok(e instanceof Error, `${label}: not an Error: ${e}`);
    assert.match(e.message, /^load: /, `${label}: message should start with "load:"`);
    assert.match(e.message, re, `${label}: message`);
    return true;
  }, label);
  assert.equal(live(), before, `${label}: a failed load left tensors behind`);
}

function tmp() {
  return mkdtempSync(join(tmpdir(), 'kindling-ser-'));
}

// --- reading what PyTorch wrote --------------------------------------------------------

test('PyTorch-written fixtures load with exactly PyTorch\'s values', () => {
  for (const [name, want] of Object.entries(expected.files)) {
    if (name === 'int64_overflow.pt') continue;
    const before = live();
    const value = torch.load(fixture(name));
    assertMatches(value, want, name);
    disposeAll(value);
    assert.equal(live(), before, `${name}: dispose released everything`);
  }
});

test('state_dict fixtures: float32 weights and BatchNorm\'s int64 num_batches_tracked', () => {
  const sd = torch.load(fixture('model_state_dict.pt'));
  assert.equal(sd['bn1.num_batches_tracked'].dtype, 'int64');
  assert.deepEqual(sd['bn1.num_batches_tracked'].shape, []);
  assert.equal(sd['bn1.num_batches_tracked'].item(), 2);
  assert.equal(sd['conv1.weight'].dtype, 'float32');
  const opt = torch.load(fixture('adam_state_dict.pt'));
  assert.deepEqual(Object.keys(opt.state), ['0', '1', '2', '3', '4', '5', '6']);
  assert.equal(opt.state[0].step.item(), 3); // PyTorch 1.13 keeps step as a 0-d float tensor
  assert.deepEqual(opt.param_groups[0].betas, [0.9, 0.999]);
  assert.equal(opt.param_groups[0].foreach, null);
  const kindlingAdam = new torch.optim.Adam(new SmallCNN().parameters());
  kindlingAdam.load_state_dict(opt); // PyTorch's layout, 0-d step tensors included
  assert.equal(kindlingAdam.state_dict().state[6].step, 3);
  assert.equal(kindlingAdam.param_groups[0].lr, 0.01);
  const od = torch.load(fixture('ordered_dict.pt'));
  assert.deepEqual(Object.keys(od), ['zeta', 'alpha', 'mid']);
  const plain = torch.load(fixture('plain_dict.pt'));
  assert.equal(plain.float64.dtype, 'float32');
  assert.equal(plain.uint8.dtype, 'int64');
  assert.deepEqual(plain.transposed.shape, [5, 4]);
  assert.deepEqual(plain.expanded.tolist(), [[1, 2], [1, 2], [1, 2]]);
  assert.equal(plain.big_int, 2 ** 40);
  for (const v of [sd, opt, od, plain]) disposeAll(v);
});

test('PyTorch\'s SmallCNN state_dict gives PyTorch\'s logits in kindling', () => {
  for (const file of ['model_state_dict.pt', 'model_state_dict.safetensors']) {
    torch.manual_seed(1);
    const model = new SmallCNN();
    model.load_state_dict(torch.load(fixture(file)));
    model.eval();
    const x = torch.tensor(Float32Array.from(expected.cnn.x.values), { shape: expected.cnn.x.shape });
    const logits = torch.no_grad(() => model(x));
    assertClose(logits, expected.cnn.logits, 1e-5, `${file} logits`);
  }
});

test('hostile and unsupported PyTorch files are refused, naming the reason, and leave nothing behind', () => {
  assert.ok(expected.rejected['malicious_os_system.pt'].globals.includes('posix.system'));
  assert.ok(expected.rejected['malicious_eval.pt'].globals.includes('__builtin__.eval'));
  assert.ok(expected.rejected['bad_opcode.pt'].opcodes.includes('EMPTY_SET'));
  assertLoadError(() => torch.load(fixture('malicious_os_system.pt')), /pickle global 'posix\.system' is not allowed/, 'os.system');
  assertLoadError(() => torch.load(fixture('malicious_eval.pt')), /pickle global '__builtin__\.eval' is not allowed/, 'eval');
  assertLoadError(() => torch.load(fixture('bad_opcode.pt')), /pickle opcode EMPTY_SET \(0x8f\) .* is not allowed/, 'EMPTY_SET');
  const before = live();
  assert.throws(() => torch.load(fixture('int64_overflow.pt')),
    (e) => e instanceof RangeError && /tensor 'big' \(int64\) holds the value 1099511627776, outside the 32-bit range/.test(e.message));
  assert.equal(live(), before);
});

// --- writing for PyTorch -----------------------------------------------------------------

/** A kindling SmallCNN trained 3 Adam steps (so BatchNorm stats and Adam state are non-trivial). */
function trainedModel() {
  torch.manual_seed(7);
  const model = new SmallCNN();
  const opt = new torch.optim.Adam(model.parameters(), { lr: 0.01 });
  for (let step = 0; step < 3; step++) {
    const x = torch.randn(4, 1, 8, 8);
    const y = torch.randint(0, 3, [4]);
    opt.zero_grad();
    F.cross_entropy(model(x), y).backward();
    opt.step();
  }
  return { model, opt };
}

test('PyTorch reads kindling\'s files: same values, same logits, Adam continues identically', async (t) => {
  const dir = tmp();
  try {
    const { model, opt } = trainedModel();
    const sd = model.state_dict();
    const state = opt.state_dict();
    // The Adam step below updates the state tensors in place: keep copies of what was saved.
    const saved = Object.fromEntries(Object.entries(state.state).map(([id, s]) =>
      [id, { step: s.step, exp_avg: s.exp_avg.toTypedArray(), exp_avg_sq: s.exp_avg_sq.toTypedArray() }]));
    const savedModel = Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, v.toTypedArray()]));
    assert.equal(sd['bn1.num_batches_tracked'].item(), 3);
    await torch.save(sd, join(dir, 'model.pt'));
    await torch.save(sd, join(dir, 'model.safetensors')); // the format from the extension
    writeFileSync(join(dir, 'model2.safetensors'), torch.save(sd, { format: 'safetensors', metadata: { format: 'pt' } }));
    await torch.save(state, join(dir, 'adam.pt'));
    torch.manual_seed(11);
    const x = torch.randn(3, 1, 8, 8);
    const xs = torch.randn(4, 1, 8, 8);
    const ys = torch.randint(0, 3, [4]);
    // One interpreter for every PyTorch job: importing torch takes seconds.
    const jobs = {
      'model.pt': ['read', join(dir, 'model.pt')],
      'model.safetensors': ['read', join(dir, 'model.safetensors')],
      'model2.safetensors': ['read', join(dir, 'model2.safetensors')],
      'adam.pt': ['read', join(dir, 'adam.pt')],
      'cnn.pt': ['cnn', join(dir, 'model.pt'), { x: toPython(x) }],
      'cnn.safetensors': ['cnn', join(dir, 'model.safetensors'), { x: toPython(x) }],
      adam: ['adam', join(dir, 'model.pt'), join(dir, 'adam.pt'), { x: toPython(xs), y: toPython(ys) }],
      'write adam': ['write', join(dir, 'torch_adam.pt'), 'pt', toPython(state)],
      'write model': ['write', join(dir, 'torch_model.pt'), 'pt', toPython(sd)],
    };
    const batch = Object.values(jobs).map((job) => {
      const input = typeof job[job.length - 1] === 'object' ? job[job.length - 1] : undefined;
      return { args: input === undefined ? job : job.slice(0, -1), input };
    });
    const { missing, result: out } = python(['batch'], batch);
    if (missing) {
      t.skip(`PyTorch not installed: ${missing}`);
      return;
    }
    const results = {};
    Object.keys(jobs).forEach((k, i) => { results[k] = out[i]; });

    await t.test('torch.load gives kindling\'s state_dict (also under weights_only=True)', () => {
      for (const file of ['model.pt', 'model.safetensors', 'model2.safetensors']) {
        const r = results[file];
        assert.equal(r.weights_only, true, `${file}: PyTorch's weights_only unpickler accepted it`);
        if (file.endsWith('.pt')) assert.equal(r.value.ordered, true, `${file}: an OrderedDict, as PyTorch's state_dict()`);
        const dtypes = Object.fromEntries(r.value.__dict__.map(([k, v]) => [k, v.__tensor__]));
        assert.equal(dtypes['bn1.num_batches_tracked'], 'int64');
        assert.equal(dtypes['conv1.weight'], 'float32');
        assertMatches(sd, r.value, file);
      }
    });

    await t.test('torch.load gives kindling\'s Adam state_dict (int state keys, steps, betas)', () => {
      const r = results['adam.pt'];
      const keys = r.value.__dict__.find(([k]) => k === 'state')[1].__dict__.map(([k]) => k);
      assert.deepEqual(keys, [0, 1, 2, 3, 4, 5, 6], 'state keys are Python ints');
      assertMatches(state, r.value, 'adam');
    });

    await t.test('PyTorch\'s SmallCNN with kindling\'s weights gives kindling\'s logits (1e-5)', () => {
      model.eval();
      const mine = torch.no_grad(() => model(x));
      model.train();
      for (const file of ['pt', 'safetensors']) assertClose(mine, results[`cnn.${file}`].logits, 1e-5, `model.${file}: logits`);
    });

    await t.test('PyTorch\'s Adam, loaded from kindling\'s optimizer state_dict, takes the step kindling takes', () => {
      const theirs = results.adam;
      opt.zero_grad();
      F.cross_entropy(model(xs), ys).backward();
      opt.step();
      const mine = model.state_dict();
      for (const [key, want] of theirs.state_dict.__dict__) {
        if (want.__tensor__ === 'int64') assertMatches(mine[key], want, key);
        else assertClose(mine[key], want, 1e-5, `after one more step: ${key}`);
      }
      const steps = theirs.optimizer.__dict__.find(([k]) => k === 'state')[1].__dict__.map(([, s]) => s.__dict__.find(([k]) => k === 'step')[1]);
      assert.equal(steps.length, 7);
      for (const s of steps) assert.deepEqual(s.values, [4], 'PyTorch counts 4 steps');
    });

    await t.test('kindling reads what PyTorch\'s torch.save writes of kindling\'s values', () => {
      const back = torch.load(readFileSync(join(dir, 'torch_adam.pt')));
      assert.deepEqual(Object.keys(back.state), Object.keys(state.state));
      assert.deepEqual(back.param_groups, state.param_groups);
      for (const [id, s] of Object.entries(saved)) {
        assert.equal(back.state[id].step, s.step);
        for (const key of ['exp_avg', 'exp_avg_sq']) assert.deepEqual(back.state[id][key].toTypedArray(), s[key], `${id}.${key}`);
      }
      const loaded = torch.load(readFileSync(join(dir, 'torch_model.pt')));
      for (const [key, v] of Object.entries(savedModel)) assert.deepEqual(loaded[key].toTypedArray(), v, key);
      const fresh = new SmallCNN();
      fresh.load_state_dict(loaded);
      const opt2 = new torch.optim.Adam(fresh.parameters(), { lr: 0.01 });
      opt2.load_state_dict(back);
      assert.equal(opt2.state_dict().state[0].step, 3);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// --- kindling -> kindling ------------------------------------------------------------------

test('round trip kindling -> kindling in both formats, and through a path / Blob', async () => {
  const { model, opt } = trainedModel();
  const sd = model.state_dict();
  for (const format of ['pt', 'safetensors']) {
    const bytes = torch.save(sd, { format });
    assert.ok(bytes instanceof Uint8Array);
    const back = torch.load(bytes);
    assert.deepEqual(Object.keys(back), Object.keys(sd));
    for (const [k, v] of Object.entries(sd)) {
      assert.equal(back[k].dtype, v.dtype, k);
      assert.deepEqual(back[k].shape, v.shape, k);
      assert.deepEqual(back[k].toTypedArray(), v.toTypedArray(), k);
    }
    const fresh = new SmallCNN();
    fresh.load_state_dict(back);
    disposeAll(back);
  }
  const state = opt.state_dict();
  const optBack = torch.load(torch.save(state));
  assert.deepEqual(optBack.param_groups, state.param_groups);
  const opt2 = new torch.optim.Adam(model.parameters());
  opt2.load_state_dict(optBack);
  assert.equal(opt2.param_groups[0].lr, 0.01);

  const dir = tmp();
  try {
    await torch.save(sd, join(dir, 'm.pt'));
    const fromPath = await torch.load(join(dir, 'm.pt'));
    assert.deepEqual(fromPath['fc.weight'].toTypedArray(), sd['fc.weight'].toTypedArray());
    const fromBlob = await torch.load(new Blob([torch.save(sd, { format: 'safetensors' })]));
    assert.deepEqual(fromBlob['fc.bias'].toTypedArray(), sd['fc.bias'].toTypedArray());
    const fromBuffer = torch.load(torch.save(sd).buffer);
    assert.equal(Object.keys(fromBuffer).length, Object.keys(sd).length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('round trip of nested values, dtypes, shapes, shared tensors and safetensors metadata', () => {
  const t = torch.tensor([[1.5, -2], [NaN, Infinity]]);
  const obj = {
    numbers: [0, -1, 255, 65536, -(2 ** 31), 2 ** 31, 2 ** 53 - 1, 0.1, -0, NaN, -Infinity, 1e300],
    big: 12345678901234567890n,
    text: ['', 'ünïcødé ✓', '__proto__'],
    flags: [true, false, null],
    nested: { a: { b: { c: [1, [2, [3]]] } } },
    map: new Map([[3, 'three'], ['x', 'ex']]),
    tensors: {
      f: t, again: t,
      i: torch.tensor([-2147483648, 2147483647, 0], { dtype: 'int64' }),
      b: torch.tensor([true, false, true]),
      scalar: torch.tensor(3.25),
      empty: torch.zeros([0, 4]),
      six: torch.ones([1, 2, 1, 2, 1, 2]),
    },
  };
  const back = torch.load(torch.save(obj));
  assert.deepEqual(back.numbers.slice(0, 8), obj.numbers.slice(0, 8));
  assert.ok(Object.is(back.numbers[8], -0) && Number.isNaN(back.numbers[9]) && back.numbers[10] === -Infinity && back.numbers[11] === 1e300);
  assert.equal(back.big, obj.big);
  assert.deepEqual(back.text, obj.text);
  assert.deepEqual(back.flags, obj.flags);
  assert.deepEqual(back.nested, obj.nested);
  assert.deepEqual(back.map, { 3: 'three', x: 'ex' });
  assert.equal(back.tensors.f, back.tensors.again, 'one tensor saved twice is one tensor');
  for (const [k, v] of Object.entries(obj.tensors)) {
    assert.equal(back.tensors[k].dtype, v.dtype, k);
    assert.deepEqual(back.tensors[k].shape, v.shape, k);
    assert.deepEqual(back.tensors[k].toTypedArray(), v.toTypedArray(), k);
  }
  const flat = { ...obj.tensors };
  delete flat.again;
  const st = torch.load(torch.save(flat, { format: 'safetensors', metadata: { format: 'pt', note: 'κ' } }));
  assert.deepEqual(st.__metadata__, { format: 'pt', note: 'κ' });
  assert.deepEqual(Object.keys(st), Object.keys(flat));
  for (const [k, v] of Object.entries(flat)) assert.deepEqual(st[k].toTypedArray(), v.toTypedArray(), k);
  const single = torch.load(torch.save(t));
  assert.ok(single instanceof torch.Tensor && single !== t);
  assert.deepEqual(single.toTypedArray(), t.toTypedArray());
  assert.deepEqual(torch.load(torch.save([1, 'a', null])), [1, 'a', null]);
  const proto = torch.load(torch.save(JSON.parse('{"__proto__": {"x": 1}}')));
  assert.deepEqual(Object.keys(proto), ['__proto__']);
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
});

test('save refuses what it cannot store, with errors that say what to do', () => {
  const { model, opt } = trainedModel();
  assert.throws(() => torch.save(opt.state_dict(), { format: 'safetensors' }),
    (e) => e instanceof TypeError && /flat map of name -> Tensor, but 'state' is a nested object.*format: 'pt'/.test(e.message));
  assert.throws(() => torch.save({ w: torch.ones(2), lr: 0.1 }, { format: 'safetensors' }), /'lr' is a number.*'pt'/);
  assert.throws(() => torch.save(model), /cannot save a whole SmallCNN .*state_dict\(\)/);
  assert.throws(() => torch.save(opt), /cannot save a whole Adam/);
  assert.throws(() => torch.save({ f: () => 1 }), /cannot save a function at 'f'/);
  const loop = { a: [] };
  loop.a.push(loop);
  assert.throws(() => torch.save(loop), /'a\.0' contains itself/);
  assert.throws(() => torch.save({}, { format: 'npz' }), /unknown format "npz"/);
  assert.throws(() => torch.save({}, { formt: 'pt' }), /unknown option 'formt'/);
  assert.throws(() => torch.save({ w: torch.ones(1) }, { metadata: { a: 'b' } }), /metadata is only stored by format 'safetensors'/);
  const gone = torch.ones(2);
  gone.dispose();
  assert.throws(() => torch.save({ w: gone }), /save: cannot read the tensor at 'w': This tensor was released/);
  assert.throws(() => torch.load(42), /load: expected bytes/);
  assert.throws(() => torch.load(new Uint8Array(4), { map_location: 'cuda' }), /only 'cpu'/);
});

// --- corrupt files -----------------------------------------------------------------------

function rezip(bytes, edit) {
  const zip = readZip(bytes);
  const files = zip.names.map((name) => ({ name, data: zip.read(name) }));
  return writeZip(edit(files));
}

test('corrupt .pt files are clear Errors and leave no tensors behind', () => {
  const good = torch.save(trainedModel().model.state_dict());
  assertLoadError(() => torch.load(good.subarray(0, good.length >> 1)), /truncated or corrupt/, 'truncated zip');
  assertLoadError(() => torch.load(good.subarray(0, 10)), /truncated/, 'tiny zip');
  // Flip one bit inside the bytes of entry archive/data/1 (conv1.bias).
  const entry = readZip(good).read('archive/data/1');
  const at = entry.byteOffset - good.byteOffset;
  const flipped = good.slice();
  flipped[at] ^= 0x40;
  assertLoadError(() => torch.load(flipped), /zip entry 'archive\/data\/1' is corrupt \(CRC-32 mismatch\)/, 'bad CRC');
  assertLoadError(() => torch.load(rezip(good, (files) => files.filter((f) => f.name !== 'archive/data/1'))),
    /no data entry 'archive\/data\/1'/, 'missing data entry');
  assertLoadError(() => torch.load(rezip(good, (files) => files.filter((f) => !f.name.endsWith('data.pkl')))),
    /not a PyTorch file/, 'missing data.pkl');
  assertLoadError(() => torch.load(rezip(good, (files) => files.map((f) => (f.name === 'archive/data/2' ? { ...f, data: f.data.subarray(4) } : f)))),
    /data entry 'archive\/data\/2' holds \d+ bytes; its storage of \d+ elements needs \d+/, 'short storage');
  const withPickle = (pkl) => rezip(good, (files) => files.map((f) => (f.name.endsWith('data.pkl') ? { ...f, data: pkl } : f)));
  const enc = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  assertLoadError(() => torch.load(withPickle(enc('\x80\x02cbuiltins\neval\nX\x01\x00\x00\x001\x85R.'))),
    /pickle global 'builtins\.eval' is not allowed/, 'builtins.eval');
  assertLoadError(() => torch.load(withPickle(enc('\x80\x02cos\nsystem\n.'))), /'os\.system' is not allowed/, 'os.system');
  assertLoadError(() => torch.load(withPickle(enc('\x80\x02ccollections\nOrderedDict\n)\x81.'))), /opcode NEWOBJ \(0x81\)/, 'NEWOBJ');
  assertLoadError(() => torch.load(withPickle(enc('\x80\x02}q\x00(X\x01\x00\x00\x00aK\x01u'))), /pickle ends early/, 'no STOP');
  assertLoadError(() => torch.load(withPickle(enc('\x80\x02h\x05.'))), /memo entry 5 was never stored/, 'bad BINGET');
  assertLoadError(() => torch.load(withPickle(enc('\x80\x02u.'))), /no MARK/, 'SETITEMS without MARK');
  assertLoadError(() => torch.load(withPickle(enc('\x80\x02ccollections\nOrderedDict\n.'))), /leaves a global 'collections\.OrderedDict' in the result/, 'bare global');
  assertLoadError(() => torch.load(withPickle(enc('\x80\x02X\x02\x00\x00\x00\xff\xfe.'))), /not valid UTF-8/, 'bad UTF-8');
  assertLoadError(() => torch.load(enc('\x80\x02}.')), /legacy \(PyTorch < 1\.6\) or plain pickle/, 'bare pickle');
  assertLoadError(() => torch.load(new Uint8Array(0)), /truncated/, 'empty input');
  // A view whose size reaches past its storage: _rebuild_tensor_v2 with size (99,) on 4 floats.
  const view = enc('\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\n' +
    'X\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x04tQK\x00Kc\x85K\x01\x85\x89ccollections\nOrderedDict\n)RtR.');
  const viewFile = (pkl) => writeZip([{ name: 'archive/data.pkl', data: pkl }, { name: 'archive/data/0', data: new Uint8Array(16) },
    { name: 'archive/version', data: enc('3\n') }]);
  assertLoadError(() => torch.load(viewFile(view)), /tensor '<root>' of shape \[99\] .* reads past the end of its 4-element storage/, 'view past storage');
  const fine = torch.load(viewFile(view.map((b, i) => (b === 0x63 && view[i - 1] === 0x4b ? 4 : b))));
  assert.deepEqual(fine.shape, [4]);
  fine.dispose();
});

test('deflated zip entries (a .pt re-compressed by a zip tool) load the same', () => {
  const sd = trainedModel().model.state_dict();
  const good = torch.save(sd);
  for (const level of [0, 1, 6, 9]) {
    const deflated = rezipDeflate(good, (b) => deflateRawSync(b, { level }));
    const back = torch.load(deflated);
    for (const [k, v] of Object.entries(sd)) assert.deepEqual(back[k].toTypedArray(), v.toTypedArray(), `level ${level}: ${k}`);
  }
  const fixed = rezipDeflate(fixture('model_state_dict.pt'), (b) => deflateRawSync(b, { strategy: zconst.Z_FIXED }));
  assertMatches(torch.load(fixed), expected.files['model_state_dict.pt'], 'fixed-Huffman deflate');
  // inflate itself against zlib, on data of every compressibility
  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (const n of [0, 1, 100, 5000, 70000]) {
    for (const kind of ['random', 'runs', 'text']) {
      const data = Uint8Array.from({ length: n }, (_, i) => (kind === 'random' ? rand() : kind === 'runs' ? (i >> 7) & 3 : 97 + (i * 7 % 13)));
      for (const options of [{ level: 0 }, { level: 1 }, { level: 9 }, { strategy: zconst.Z_FIXED }, { strategy: zconst.Z_HUFFMAN_ONLY }]) {
        const out = inflateRaw(deflateRawSync(data, options), n, 'x');
        assert.deepEqual(out, data, `${kind} ${n} ${JSON.stringify(options)}`);
      }
    }
  }
  assert.throws(() => inflateRaw(deflateRawSync(new Uint8Array(100)), 99, 'x'), /more data than the 99 bytes declared/);
  assert.throws(() => inflateRaw(deflateRawSync(new Uint8Array(100)), 101, 'x'), /100 bytes where the zip directory declares 101/);
  assert.throws(() => inflateRaw(Uint8Array.of(0xff), 10, 'x'), /load: zip entry 'x' is corrupt \(deflate/);
});

function rezipDeflate(bytes, deflate) {
  const zip = readZip(bytes);
  return writeZip(zip.names.map((name) => ({ name, data: zip.read(name) })), 64, deflate);
}

/** A safetensors file from a header object and a data section. */
function safetensors(header, data = new Uint8Array(0), lengthOverride) {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, lengthOverride ?? json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

test('safetensors headers that lie are clear Errors, and nothing partial is returned', () => {
  const data = new Uint8Array(24);
  const ok = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'I64', shape: [2], data_offsets: [8, 24] } };
  const back = torch.load(safetensors(ok, data));
  assert.deepEqual(Object.keys(back), ['a', 'b']);
  disposeAll(back);
  const cases = [
    [{ ...ok, b: { dtype: 'I64', shape: [3], data_offsets: [8, 24] } }, /needs 24 bytes but its data_offsets \[8, 24\] span 16/, 'size does not match dtype x shape'],
    [{ ...ok, b: { dtype: 'I64', shape: [2], data_offsets: [4, 20] } }, /'b' overlaps another tensor's bytes/, 'overlap'],
    [{ ...ok, b: { dtype: 'I64', shape: [2], data_offsets: [16, 32] } }, /beyond the 24-byte data section/, 'beyond the end'],
    [{ a: ok.a }, /data section is 24 bytes but its tensors cover 8/, 'trailing bytes'],
    [{ ...ok, a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, /unused bytes 0\.\.4/, 'gap'],
    [{ ...ok, a: { dtype: 'F33', shape: [2], data_offsets: [0, 8] } }, /unsupported dtype "F33"/, 'wrong dtype string'],
    [{ ...ok, a: { dtype: 'F32', shape: [2.5], data_offsets: [0, 8] } }, /invalid shape/, 'fractional shape'],
    [{ ...ok, a: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, /invalid data_offsets/, 'reversed offsets'],
    [{ ...ok, a: { dtype: 'F32', shape: [2] } }, /invalid data_offsets/, 'missing offsets'],
    [{ ...ok, __metadata__: { n: 1 } }, /__metadata__ must map strings to strings/, 'metadata'],
    ['[1, 2]', /not a JSON object/, 'array header'],
    ['{"a": ', /not valid UTF-8 JSON/, 'bad JSON'],
    [{ ...ok, a: { dtype: 'F32', shape: [1, 1, 1, 1, 1, 1, 2], data_offsets: [0, 8] } }, /7 dimensions; kindling supports at most 6/, '7-D'],
  ];
  for (const [header, re, label] of cases) assertLoadError(() => torch.load(safetensors(header, data)), re, label);
  assertLoadError(() => torch.load(safetensors(ok, data, 10 ** 6)), /header length 1000000 is larger than the file/, 'header length > file');
  assertLoadError(() => torch.load(new Uint8Array([1, 0, 0, 0])), /truncated/, 'shorter than 8 bytes');
  const i64 = new Uint8Array(24);
  new DataView(i64.buffer).setInt32(12, 1, true); // b[0] = 2^32
  assertLoadError(() => torch.load(safetensors(ok, i64)), /tensor 'b' \(int64\) holds the value 4294967296/, 'int64 overflow');
});

test('load_state_dict with a loaded dict of wrong shapes fails without changing the model', () => {
  torch.manual_seed(3);
  const model = new SmallCNN();
  const before = Object.fromEntries(Object.entries(model.state_dict()).map(([k, v]) => [k, v.toTypedArray()]));
  const other = new SmallCNN();
  other.fc = new nn.Linear(24, 5);
  for (const format of ['pt', 'safetensors']) {
    const loaded = torch.load(torch.save(other.state_dict(), { format }));
    assert.throws(() => model.load_state_dict(loaded), /size mismatch for fc\.weight: copying a param with shape \[5, 24\]/);
    for (const [k, v] of Object.entries(model.state_dict())) assert.deepEqual(v.toTypedArray(), before[k], `${format}: ${k} unchanged`);
  }
});
