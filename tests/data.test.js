// torch.utils.data: DataLoader batching / drop_last / shuffle order and the random streams
// it leaves behind, samplers and random_split against PyTorch (tests/fixtures/data.json,
// written by tests/fixtures/generate_data.py), collation, async and iterable datasets,
// Subset / ConcatDataset, torch.Generator, argument errors, and the memory rule over a
// 2,000-batch training loop with no dispose calls.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../dist/index.js';
import { loadFixture } from './helpers.js';

const {
  DataLoader, Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset, random_split, RandomSampler,
  SequentialSampler, SubsetRandomSampler, BatchSampler, default_collate,
} = torch.utils.data;
const fixture = loadFixture('data.json');
const range = (n) => Array.from({ length: n }, (_, i) => i);
const after = () => torch.randint(0, 1000000, [4]).tolist();

test('DataLoader(shuffle) orders and the default stream afterwards equal PyTorch', () => {
  for (const c of fixture.loaders) {
    torch.manual_seed(c.seed);
    const generator = c.generator_seed === null ? null : new torch.Generator().manual_seed(c.generator_seed);
    const loader = new DataLoader(range(c.n), { batch_size: c.batch_size, shuffle: c.shuffle, drop_last: c.drop_last, generator });
    c.epochs.forEach((expected, e) => {
      assert.equal(loader.len(), expected.length, `${c.name}: len()`);
      assert.deepEqual(Array.from(loader, (b) => b.tolist()), expected, `${c.name}, epoch ${e} (${c.python})`);
    });
    assert.deepEqual(after(), c.after, `${c.name}: default generator after the epochs`);
  }
});

test('RandomSampler and SubsetRandomSampler draw as PyTorch', () => {
  for (const c of fixture.samplers) {
    torch.manual_seed(c.seed);
    const sampler = c.kind === 'RandomSampler'
      ? new RandomSampler(range(c.n), { replacement: c.replacement, num_samples: c.num_samples })
      : new SubsetRandomSampler(c.indices);
    assert.deepEqual([...sampler], c.order, c.name);
    assert.equal(sampler.len(), c.order.length);
    assert.deepEqual(after(), c.after, `${c.name}: default generator afterwards`);
  }
});

test('random_split with lengths and fractions equals PyTorch', () => {
  for (const c of fixture.splits) {
    let parts;
    if (c.generator_seed !== null) {
      parts = random_split(range(c.n), c.lengths, new torch.Generator().manual_seed(c.generator_seed));
      // the options form takes the same generator
      const again = random_split(range(c.n), c.lengths, { generator: new torch.Generator().manual_seed(c.generator_seed) });
      assert.deepEqual(again.map((s) => s.indices), c.parts);
    } else {
      torch.manual_seed(c.seed);
      parts = random_split(range(c.n), c.lengths);
      assert.deepEqual(after(), c.after, `${c.name}: default generator afterwards`);
    }
    assert.deepEqual(parts.map((s) => s.indices), c.parts, `${c.name} (${c.python})`);
    assert.deepEqual(parts.map((s) => s.len()), c.parts.map((p) => p.length));
    assert.equal(parts[0].getitem(0), c.parts[0][0]);
  }
  assert.throws(() => random_split(range(10), [3, 3]), /Sum of input lengths does not equal the length of the input dataset/);
  assert.throws(() => random_split(range(10), [1.5, -0.5]), /not between 0 and 1|non-negative integer/);
  assert.throws(() => random_split(range(10), [5, 5], { generatr: null }), /unknown option 'generatr'/);
});

test('batching: batch_size, drop_last, len(), batch_size null, custom samplers', () => {
  const data = range(10);
  assert.deepEqual(Array.from(new DataLoader(data, { batch_size: 4 }), (b) => b.tolist()), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  assert.deepEqual(Array.from(new DataLoader(data, { batch_size: 4, drop_last: true }), (b) => b.tolist()), [[0, 1, 2, 3], [4, 5, 6, 7]]);
  assert.equal(new DataLoader(data, { batch_size: 4 }).len(), 3);
  assert.equal(new DataLoader(data, { batch_size: 4, drop_last: true }).length, 2);
  assert.equal(new DataLoader(data).len(), 10);
  // batch_size null: samples one at a time, not collated
  assert.deepEqual([...new DataLoader(data, { batch_size: null })], data);
  // positional arguments in PyTorch's order: batch_size, shuffle
  assert.deepEqual(Array.from(new DataLoader(data, 5, false), (b) => b.tolist()), [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]);
  const sampler = [9, 7, 5, 3, 1];
  assert.deepEqual(Array.from(new DataLoader(data, { batch_size: 2, sampler }), (b) => b.tolist()), [[9, 7], [5, 3], [1]]);
  const batch_sampler = new BatchSampler(new SequentialSampler(data), 3, true);
  assert.equal(batch_sampler.len(), 3);
  assert.deepEqual(Array.from(new DataLoader(data, { batch_sampler }), (b) => b.tolist()), [[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
  assert.deepEqual(Array.from(new DataLoader(data, { batch_sampler: [[1, 2], [0]] }), (b) => b.tolist()), [[1, 2], [0]]);
});

test('DataLoader argument errors are PyTorch\'s', () => {
  const data = range(4);
  assert.throws(() => new DataLoader(data, { sampler: [0, 1], shuffle: true }), /sampler option is mutually exclusive with shuffle/);
  assert.throws(() => new DataLoader(data, { batch_sampler: [[0]], batch_size: 2 }), /batch_sampler option is mutually exclusive/);
  assert.throws(() => new DataLoader(data, { batch_size: null, drop_last: true }), /mutually exclusive with drop_last/);
  assert.throws(() => new DataLoader(data, { batchSize: 2 }), (e) => e instanceof TypeError && /unknown option 'batchSize'/.test(e.message));
  assert.throws(() => new DataLoader(data, { batch_size: 0 }), /batch_size should be a positive integer/);
  assert.throws(() => new DataLoader(data, { generator: 42 }), /torch.Generator/);
  // worker options are accepted so PyTorch code transcribes; batches are made in-process
  assert.equal([...new DataLoader(data, { batch_size: 2, num_workers: 2, pin_memory: true })].length, 2);
});

test('default_collate: tensors, numbers, tuples, dicts, strings, typed arrays', () => {
  const samples = [0, 1, 2].map((i) => [torch.full([2, 3], i), i, { id: i, w: i + 0.5, name: `s${i}`, v: Float32Array.of(i, -i) }]);
  const [x, y, d] = default_collate(samples);
  assert.deepEqual(x.shape, [3, 2, 3]);
  assert.deepEqual(x.sum([1, 2]).tolist(), [0, 6, 12]);
  assert.equal(y.dtype, 'int64');
  assert.deepEqual(y.tolist(), [0, 1, 2]);
  assert.equal(d.id.dtype, 'int64');
  assert.equal(d.w.dtype, 'float32');
  assert.deepEqual(d.w.tolist(), [0.5, 1.5, 2.5]);
  assert.deepEqual(d.name, ['s0', 's1', 's2']);
  assert.deepEqual(d.v.tolist(), [[0, -0], [1, -1], [2, -2]]);
  assert.deepEqual(default_collate([true, false]).dtype, 'bool');
  // nested tuples collate element by element
  const nested = default_collate([[1, [2, 3]], [4, [5, 6]]]);
  assert.deepEqual(nested[0].tolist(), [1, 4]);
  assert.deepEqual(nested[1].map((t) => t.tolist()), [[2, 5], [3, 6]]);
  // tensors that need grad are stacked by the op, so the graph is kept
  const w = torch.ones([2], { requires_grad: true });
  default_collate([w.mul(2), w.mul(3)]).sum().backward();
  assert.deepEqual(w.grad.tolist(), [5, 5]);
  assert.throws(() => default_collate([torch.zeros(2), torch.zeros(3)]), /stack expects each tensor to be equal size/);
  assert.throws(() => default_collate([[1, 2], [3]]), /each element in list of batch should be of equal size/);
  assert.throws(() => default_collate([{ data: new Uint8Array(4), width: 2, height: 2, channels: 1 }]), /ToTensor/);
  assert.throws(() => default_collate([null]), /batch must contain tensors/);
});

test('TensorDataset batches (one index_select per tensor) equal per-sample collation', () => {
  torch.manual_seed(0);
  const X = torch.randn(10, 3, 2);
  const Y = torch.arange(10);
  const ds = new TensorDataset(X, Y);
  assert.equal(ds.len(), 10);
  const [x5, y5] = ds.getitem(5);
  assert.deepEqual(x5.shape, [3, 2]);
  assert.equal(y5.item(), 5);
  // (batches are step-scoped: read them while the loop runs, as Array.from's map does)
  const lists = ([x, y]) => [x.tolist(), y.tolist(), torch.index_select(X, 0, y).tolist()];
  torch.manual_seed(1);
  const fast = Array.from(new DataLoader(ds, { batch_size: 4, shuffle: true }), lists);
  torch.manual_seed(1);
  const slow = Array.from(new DataLoader(ds, { batch_size: 4, shuffle: true, collate_fn: (b) => default_collate(b) }), lists);
  assert.equal(fast.length, 3);
  assert.deepEqual(fast, slow);
  fast.forEach(([x, , rows]) => assert.deepEqual(x, rows));
  // random_split of a TensorDataset keeps the fast path through Subset
  const [train] = random_split(ds, [0.7, 0.3], new torch.Generator().manual_seed(3));
  const labels = Array.from(new DataLoader(train, { batch_size: 3 }), ([, y]) => y.tolist());
  assert.deepEqual(labels.flat(), train.indices);
  assert.throws(() => new TensorDataset(X, torch.arange(9)), /Size mismatch between tensors/);
  assert.throws(() => ds.getitem(10), RangeError);
});

test('Subset and ConcatDataset indexing', () => {
  const a = ['a0', 'a1', 'a2'];
  const b = ['b0', 'b1'];
  const cat = new ConcatDataset([a, b]);
  assert.equal(cat.len(), 5);
  assert.deepEqual(range(5).map((i) => cat.getitem(i)), ['a0', 'a1', 'a2', 'b0', 'b1']);
  assert.equal(cat.getitem(-1), 'b1');
  assert.equal(cat.getitem(-5), 'a0');
  assert.throws(() => cat.getitem(-6), /absolute value of index should not exceed dataset length/);
  assert.throws(() => cat.getitem(5), RangeError);
  assert.deepEqual(cat.cumulative_sizes, [3, 5]);
  const sub = new Subset(cat, [4, 0, 3]);
  assert.deepEqual(range(3).map((i) => sub.getitem(i)), ['b1', 'a0', 'b0']);
  assert.throws(() => sub.getitem(3), RangeError);
  assert.deepEqual(new Subset(a, torch.tensor([2, 1])).indices, [2, 1]);
  // dataset + dataset (Python's __add__)
  class Letters extends Dataset {
    constructor(s) { super(); this.s = s; }
    len() { return this.s.length; }
    getitem(i) { return this.s[i]; }
  }
  assert.equal(new Letters('xy').add(new Letters('z')).getitem(2), 'z');
  assert.equal(new Letters('xyz').length, 3);
});

test('a Dataset subclass may use __len__ / __getitem__ and the DataLoader reads it', () => {
  class Squares extends Dataset {
    __len__() { return 5; }
    __getitem__(i) { return [i, i * i]; }
  }
  const batches = Array.from(new DataLoader(new Squares(), { batch_size: 2 }), ([i, sq]) => [i.tolist(), sq.tolist()]);
  assert.deepEqual(batches, [[[0, 1], [0, 1]], [[2, 3], [4, 9]], [[4], [16]]]);
  class Empty extends Dataset {}
  assert.throws(() => new Empty().len(), /must define len\(\)/);
  assert.throws(() => new Empty().getitem(0), /must define getitem/);
});

test('async datasets: for await collates awaited samples; plain for says to use for await', async () => {
  class Slow extends Dataset {
    len() { return 5; }
    async getitem(i) {
      await new Promise((resolve) => setTimeout(resolve, 5 - i));
      return [torch.full([2], i), i];
    }
  }
  const loader = new DataLoader(new Slow(), { batch_size: 2 });
  const seen = [];
  for await (const [x, y] of loader) seen.push([x.tolist(), y.tolist()]);
  assert.deepEqual(seen, [[[[0, 0], [1, 1]], [0, 1]], [[[2, 2], [3, 3]], [2, 3]], [[[4, 4]], [4]]]);
  assert.throws(() => { for (const b of loader) assert.ok(b); }, /for await/);
  // sync datasets work with for await too
  const out = [];
  for await (const b of new DataLoader(range(3), { batch_size: 2 })) out.push(b.tolist());
  assert.deepEqual(out, [[0, 1], [2]]);
});

test('IterableDataset streams are batched in order; shuffle is refused', async () => {
  class Counter extends IterableDataset {
    *[Symbol.iterator]() { for (let i = 0; i < 7; i++) yield [i, -i]; }
  }
  const batches = Array.from(new DataLoader(new Counter(), { batch_size: 3 }), ([a, b]) => [a.tolist(), b.tolist()]);
  assert.deepEqual(batches, [[[0, 1, 2], [0, -1, -2]], [[3, 4, 5], [-3, -4, -5]], [[6], [-6]]]);
  assert.equal([...new DataLoader(new Counter(), { batch_size: 3, drop_last: true })].length, 2);
  assert.throws(() => new DataLoader(new Counter(), { shuffle: true }), /expected unspecified shuffle option/);
  class AsyncCounter extends IterableDataset {
    async *[Symbol.asyncIterator]() { for (let i = 0; i < 3; i++) yield i; }
  }
  const out = [];
  for await (const b of new DataLoader(new AsyncCounter(), { batch_size: 2 })) out.push(b.tolist());
  assert.deepEqual(out, [[0, 1], [2]]);
});

test('torch.Generator: manual_seed chains, initial_seed, get_state / set_state replay', () => {
  const g = new torch.Generator();
  assert.equal(g.initial_seed(), 67280421310721);
  assert.equal(g.manual_seed(42), g);
  assert.equal(g.initial_seed(), 42);
  const state = g.get_state();
  const order = (gen) => Array.from(new DataLoader(range(20), { batch_size: 20, shuffle: true, generator: gen }), (b) => b.tolist())[0];
  const first = order(g);
  g.set_state(state);
  assert.deepEqual(order(g), first);
  assert.deepEqual(order(new torch.Generator().manual_seed(42)), first);
  const big = new torch.Generator().manual_seed(2n ** 63n + 5n);
  assert.equal(big.initial_seed(), 2n ** 63n + 5n);
  // mt19937 uses the low 32 bits of the seed
  assert.deepEqual(order(new torch.Generator().manual_seed(2 ** 32 + 42)), first);
  assert.throws(() => g.set_state(new Uint8Array(3)), /Uint8Array of \d+ bytes/);
  const bad = g.get_state();
  bad[0] ^= 0xff;
  assert.throws(() => g.set_state(bad), /invalid generator state/);
  assert.throws(() => g.manual_seed(1.5), TypeError);
});

test('memory: 2,000 DataLoader batches through a tiny model, no dispose calls, stay within 1 MB', () => {
  torch.manual_seed(0);
  const X = torch.randn(256, 8);
  const Y = torch.randint(0, 3, [256]);
  const loader = new DataLoader(new TensorDataset(X, Y), { batch_size: 16, shuffle: true });
  const model = new torch.nn.Linear(8, 3);
  const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.05 });
  let batches = 0, warm, first = 0, last = 0;
  for (let epoch = 0; batches < 2000; epoch++) {
    let total = 0;
    for (const [x, y] of loader) {
      optimizer.zero_grad();
      const loss = torch.F.cross_entropy(model(x), y);
      loss.backward();
      optimizer.step();
      total += loss.item();
      if (++batches === 100) warm = torch.memory_stats();
      if (batches === 2000) break;
    }
    if (epoch === 0) first = total;
    last = total;
  }
  const end = torch.memory_stats();
  assert.ok(last < first, `the loss falls (${first} -> ${last})`);
  assert.ok(Math.abs(end.live_bytes - warm.live_bytes) <= 1024 * 1024, `live bytes ${warm.live_bytes} -> ${end.live_bytes}`);
  assert.ok(end.live_bytes - X.numel() * 4 - Y.numel() * 4 < 1024 * 1024, `live bytes ${end.live_bytes}`);
  assert.ok(end.scoped_tensors < 200, `step-scoped tensors ${end.scoped_tensors}`);
});

test('memory: a batch is valid for its step and the next, then released with a clear error', () => {
  const loader = new DataLoader(new TensorDataset(torch.arange(8).float()), { batch_size: 2 });
  const held = [];
  for (const [x] of loader) {
    held.push(x);
    assert.ok(held.length < 2 || held[held.length - 2].sum().item() >= 0, 'the previous batch is still readable');
  }
  assert.throws(() => held[0].tolist(), /released.*step-scoped/s);
  const kept = [];
  for (const [x] of loader) kept.push(x.keep());
  for (const [x] of loader) assert.ok(x);
  assert.deepEqual(kept[0].tolist(), [0, 1]);
  kept.forEach((t) => t.dispose());
});
