// serialization-fuzz.test.js: seeded mutation fuzzing of torch.load (issue 5 part 4).
// Valid .pt files (written by kindling and by PyTorch: tests/fixtures/pt) and safetensors
// files are mutated — bits flipped, bytes set, inserted, deleted, duplicated, the file
// truncated — at three depths: the raw file; the pickle or one storage inside a .pt,
// re-zipped with correct CRCs so that the mutation reaches the pickle machine and the
// tensor checks; the safetensors JSON header, re-serialised with a consistent length, with
// fields changed to plausible lies. Every outcome must be a successful load or an Error whose
// message starts with "load:" and which is not a rewrapped unexpected exception (no
// `cause`: a TypeError / RangeError from a typed-array constructor, a wasm trap or a stack
// overflow would show up as one); no single load may take over 2 s (a hang); and
// torch.memory_stats().live_tensors must be back to its previous value after each load
// (failed loads leak nothing, successful ones are disposed).
// Reproduce with KINDLING_FUZZ_SEED=<seed>; KINDLING_FUZZ_COUNT scales the run.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as torch from '../dist/index.js';
import { readZip, writeZip } from '../dist/serialization/zip.js';

const SEED = Number(process.env.KINDLING_FUZZ_SEED ?? 20240505);
const COUNT = Number(process.env.KINDLING_FUZZ_COUNT ?? 1000); // per family; 4 families
const FIXTURES = fileURLToPath(new URL('./fixtures/pt/', import.meta.url));

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(SEED);
const int = (n) => Math.floor(rand() * n);
const pick = (list) => list[int(list.length)];
const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0x28, 0x2e, 0x4b, 0x52, 0x71, 0x68, 0x74, 0x75, 0x7d, 0x8a];

/** One random byte-level mutation. */
function mutate(bytes) {
  const b = Array.from(bytes);
  const at = () => int(b.length + 1);
  switch (int(6)) {
    case 0: for (let i = 1 + int(4); i > 0 && b.length; i--) b[int(b.length)] ^= 1 << int(8); break;
    case 1: for (let i = 1 + int(8); i > 0 && b.length; i--) b[int(b.length)] = rand() < 0.5 ? int(256) : pick(INTERESTING); break;
    case 2: b.splice(at(), 0, ...Array.from({ length: 1 + int(16) }, () => int(256))); break;
    case 3: b.splice(int(b.length), 1 + int(32)); break;
    case 4: b.length = int(b.length); break;
    default: {
      const from = int(b.length), len = 1 + int(32);
      b.splice(at(), 0, ...b.slice(from, from + len));
    }
  }
  return Uint8Array.from(b);
}

/** Mutates one entry of a .pt archive and re-zips it with correct CRCs. */
function mutateEntry(pt, which) {
  const zip = readZip(pt);
  const names = zip.names.filter(which);
  const target = pick(names);
  return writeZip(zip.names.map((name) => ({ name, data: name === target ? mutate(zip.read(name)) : zip.read(name) })));
}

/** Rewrites a safetensors header with one field changed to a plausible lie. */
function mutateHeader(st) {
  const n = new DataView(st.buffer, st.byteOffset).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(st.subarray(8, 8 + n)));
  const data = st.subarray(8 + n);
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const info = header[pick(names)];
  const values = [0, 1, 2, 3, 4, 7, 8, -1, 1.5, 2 ** 31, 2 ** 53, null, 'x', [], {}];
  switch (int(7)) {
    case 0: info.data_offsets[int(2)] += pick([-8, -4, -1, 1, 4, 8, 1000]); break;
    case 1: info.data_offsets[int(2)] = pick(values); break;
    case 2: info.dtype = pick(['F32', 'F64', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'U16', 'U32', 'U64', 'BOOL', 'f32', 'F8', '', 7]); break;
    case 3: if (info.shape.length) info.shape[int(info.shape.length)] = pick(values); else info.shape.push(pick(values)); break;
    case 4: info.shape = pick([[], [0], [1, 1, 1, 1, 1, 1, 1], 'x', null, [2 ** 31, 2 ** 31]]); break;
    case 5: header.__metadata__ = pick([{ a: 1 }, [], 'x', null, { a: 'b' }]); break;
    default: delete info[pick(['dtype', 'shape', 'data_offsets'])];
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function disposeAll(v, seen = new Set()) {
  if (v instanceof torch.Tensor) return v.dispose();
  if (v === null || typeof v !== 'object' || seen.has(v)) return undefined;
  seen.add(v);
  for (const x of Object.values(v)) disposeAll(x, seen);
  return undefined;
}

test(`torch.load survives ${4 * COUNT} seeded mutations (seed ${SEED})`, () => {
  // Bases: kindling-written .pt and safetensors, and PyTorch-written fixtures.
  torch.manual_seed(5);
  const model = new torch.nn.Sequential(new torch.nn.Linear(3, 4), new torch.nn.BatchNorm1d(4));
  const sd = model.state_dict();
  const kindlingPt = torch.save({ model: sd, extra: [1, 2.5, 'x', null, true, { k: torch.tensor([true, false]) }], step: 7 });
  const pts = [kindlingPt, ...['model_state_dict.pt', 'adam_state_dict.pt', 'plain_dict.pt', 'plain_dict_proto4.pt']
    .map((f) => new Uint8Array(readFileSync(FIXTURES + f)))];
  const sts = [torch.save(sd, { format: 'safetensors', metadata: { format: 'pt' } }),
    new Uint8Array(readFileSync(FIXTURES + 'model_state_dict.safetensors'))];
  const families = {
    'raw .pt bytes': () => mutate(pick(pts)),
    'pickle / storage inside a .pt (CRCs fixed)': () => mutateEntry(pick(pts), (n) => rand() < 0.8 ? n.endsWith('data.pkl') : /\/data\/\d+$/.test(n)),
    'raw safetensors bytes': () => mutate(pick(sts)),
    'safetensors header fields': () => mutateHeader(pick(sts)),
  };
  const start = performance.now();
  const summary = [];
  for (const [family, make] of Object.entries(families)) {
    let loaded = 0, refused = 0, slowest = 0;
    const messages = new Map();
    for (let i = 0; i < COUNT; i++) {
      const input = make();
      const before = torch.memory_stats().live_tensors;
      const t0 = performance.now();
      let value;
      try {
        value = torch.load(input);
        loaded++;
      } catch (e) {
        refused++;
        const what = `${family} #${i} (seed ${SEED})`;
        assert.ok(e instanceof Error, `${what}: threw a non-Error ${String(e)}`);
        assert.match(e.message, /^load: /, `${what}: ${e.name}: ${e.message}`);
        assert.equal(e.cause, undefined, `${what}: an unexpected exception escaped the readers: ${e.message}\n${e.cause?.stack}`);
        const key = e.message.replace(/\d+/g, 'N').replace(/'[^']*'/g, "'…'").slice(0, 70);
        messages.set(key, (messages.get(key) ?? 0) + 1);
      }
      const took = performance.now() - t0;
      slowest = Math.max(slowest, took);
      assert.ok(took < 2000, `${family} #${i}: one load took ${took.toFixed(0)} ms`);
      if (value !== undefined) disposeAll(value);
      assert.equal(torch.memory_stats().live_tensors, before, `${family} #${i}: live tensors changed`);
    }
    if (process.env.KINDLING_FUZZ_VERBOSE) for (const [m, n] of messages) summary.push(`      ${n} × ${m}`);
    summary.push(`  ${family}: ${loaded} loaded, ${refused} refused (${messages.size} kinds of error), slowest ${slowest.toFixed(1)} ms`);
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(`serialization fuzz (seed ${SEED}): ${4 * COUNT} mutations in ${seconds.toFixed(1)} s\n${summary.join('\n')}`);
});
