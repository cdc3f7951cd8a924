// bench/gemm.mjs: GFLOP/s of kindling's GEMM (gemm_f32 through the k_gemm export), WASM SIMD
// path versus scalar path, on the shapes that dominate training the reference CNN.
// Reported, never asserted. Not a correctness test (tests/native/test_gemm.c is), though it
// does print how far the two paths' results differ.
//
// usage: node bench/gemm.mjs [path/to/kindling.wasm] [--rep-ms=300] [--trans]
//   default wasm: dist/kindling.wasm beside this repo's bench/ folder.
//   --rep-ms  length of one timed repetition (the best of 3, spread over the run, is reported)
//   --trans   time all four transpose combinations of each of the shapes instead
//   --simd-only  skip the (slow) scalar path
// The wasm must export memory, k_malloc, k_free, k_set_simd and k_gemm (see bench/README.md).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const flags = Object.fromEntries(args.filter((a) => a.startsWith('--')).map((a) => {
  const [k, v] = a.slice(2).split('=');
  return [k, v === undefined ? true : v];
}));
const positional = args.filter((a) => !a.startsWith('--'));
const wasmPath = positional[0] ?? fileURLToPath(new URL('../dist/kindling.wasm', import.meta.url));
const repMs = Number(flags['rep-ms'] ?? 300);
const REPS = 3; // best of

// Shapes as the issue names them (M x N x K, transA = transB = 0), then the two conv shapes
// again with the transposes an im2col convolution really uses when the weight is stored
// (64, 288) as PyTorch stores it and the activations (36864, C): see bench/README.md.
const SHAPES = [
  { M: 512, N: 512, K: 512, tA: 0, tB: 0, what: 'square' },
  { M: 36864, N: 64, K: 288, tA: 0, tB: 0, what: 'conv 32->64 3x3 on 26x26, batch 64: forward' },
  { M: 64, N: 288, K: 36864, tA: 0, tB: 0, what: 'same conv: weight grad' },
  { M: 36864, N: 288, K: 64, tA: 0, tB: 0, what: 'same conv: input grad (also its real layout)' },
  { M: 64, N: 128, K: 9216, tA: 0, tB: 0, what: 'Linear(9216, 128), batch 64' },
  { M: 36864, N: 64, K: 288, tA: 0, tB: 1, what: 'conv forward as used: col @ W^T' },
  { M: 64, N: 288, K: 36864, tA: 1, tB: 0, what: 'conv weight grad as used: dY^T @ col' },
];

async function instantiate(path) {
  const bytes = readFileSync(path);
  const module = await WebAssembly.compile(bytes);
  // Build the imports the module really asks for, each a no-op, so that the bench does not
  // depend on which WASI / env functions a particular build happens to import.
  const imports = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    imports[imp.module] ??= {};
    if (imp.kind === 'function') imports[imp.module][imp.name] = () => 0;
    else throw new Error(`${path} imports ${imp.kind} ${imp.module}.${imp.name}; ` +
      'the bench expects a standalone wasm that only imports functions');
  }
  const instance = await WebAssembly.instantiate(module, imports);
  const e = instance.exports;
  for (const name of ['memory', 'k_malloc', 'k_free', 'k_set_simd', 'k_gemm']) {
    if (!(name in e)) throw new Error(`${path} does not export ${name}`);
  }
  // a reactor (--no-entry) runs its constructors in _initialize
  if (typeof e._initialize === 'function') e._initialize();
  else if (typeof e.__wasm_call_ctors === 'function') e.__wasm_call_ctors();
  return e;
}

// Deterministic fill in [-1, 1): the numbers do not matter for speed, only that they are
// finite and not denormal.
function fill(f32, seed) {
  let s = seed >>> 0;
  for (let i = 0; i < f32.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    f32[i] = s / 2147483648 - 1;
  }
}

// One repetition: k_gemm called for at least repMs of wall-clock time. Returns GFLOP/s by
// wall clock and by this process's CPU time (less disturbed by other processes taking the
// core away, though not by a busy sibling core).
function timeRep(call, flops) {
  let n = 0;
  const u0 = process.cpuUsage();
  const t0 = performance.now();
  let t = t0;
  do { call(); n++; t = performance.now(); } while (t - t0 < repMs);
  const u = process.cpuUsage(u0);
  return { wall: (flops * n) / ((t - t0) * 1e6), cpu: (flops * n) / ((u.user + u.system) * 1e3) };
}

const e = await instantiate(wasmPath);
const runs = [];
for (const shape of SHAPES) {
  if (!flags.trans) runs.push(shape);
  else if (shape.tA === 0 && shape.tB === 0)
    for (const [tA, tB] of [[0, 0], [1, 0], [0, 1], [1, 1]]) runs.push({ ...shape, tA, tB });
}
const paths = flags['simd-only'] ? [1] : [1, 0];

// One set of buffers, sized for the largest operands, serves every shape. Filled once.
const maxA = Math.max(...runs.map((r) => r.M * r.K));
const maxB = Math.max(...runs.map((r) => r.K * r.N));
const maxC = Math.max(...runs.map((r) => r.M * r.N));
const pA = e.k_malloc(maxA * 4), pB = e.k_malloc(maxB * 4), pC = e.k_malloc(maxC * 4);
if (!pA || !pB || !pC) throw new Error('k_malloc failed for the operands');
// views are made after the allocations: growing memory detaches older views
fill(new Float32Array(e.memory.buffer, pA, maxA), 1);
fill(new Float32Array(e.memory.buffer, pB, maxB), 2);

// The REPS repetitions of a shape are spread over time (round-robin over shapes and paths)
// so that one burst of load from other processes does not spoil all of them.
for (const run of runs) {
  const { M, N, K, tA, tB } = run;
  const lda = tA ? M : K, ldb = tB ? K : N;
  run.call = () => e.k_gemm(tA, tB, M, N, K, 1.0, pA, lda, pB, ldb, 0.0, pC, N);
  run.best = paths.map(() => ({ wall: 0, cpu: 0 }));
  run.diff = '-';
}
for (let r = 0; r < REPS; r++) {
  for (const run of runs) {
    const { M, N, K } = run;
    let cFirst = null;
    paths.forEach((simd, i) => {
      e.k_set_simd(simd);
      if (run.call() !== 0) throw new Error(`k_gemm failed on ${M}x${N}x${K}`);
      if (r === 0 && paths.length > 1) { // SIMD vs scalar results, once
        const c = new Float32Array(e.memory.buffer, pC, M * N);
        if (!cFirst) cFirst = c.slice();
        else {
          let maxDiff = 0, maxAbs = 0;
          for (let j = 0; j < c.length; j++) {
            maxDiff = Math.max(maxDiff, Math.abs(cFirst[j] - c[j]));
            maxAbs = Math.max(maxAbs, Math.abs(c[j]));
          }
          run.diff = (maxDiff / maxAbs).toExponential(1);
        }
      }
      const t = timeRep(run.call, 2 * M * N * K);
      run.best[i].wall = Math.max(run.best[i].wall, t.wall);
      run.best[i].cpu = Math.max(run.best[i].cpu, t.cpu);
    });
    process.stderr.write('.');
  }
}
e.k_free(pA); e.k_free(pB); e.k_free(pC);
e.k_set_simd(1);

const f = (x) => (Number.isNaN(x) ? '-' : x.toFixed(1));
const rows = runs.map(({ M, N, K, tA, tB, what, best, diff }) => {
  const simd = best[0], scalar = best[1] ?? { wall: NaN, cpu: NaN };
  const trans = `${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}`;
  return `| ${M}x${N}x${K} | ${trans} | ${what} | ${f(simd.wall)} | ${f(scalar.wall)} | ` +
    `${paths.length > 1 ? (simd.wall / scalar.wall).toFixed(2) + 'x' : '-'} | ${f(simd.cpu)} | ${f(scalar.cpu)} | ${diff} |`;
});
process.stderr.write('\n');

console.log(`GEMM, single thread, Node ${process.version}, ${wasmPath}; best of ${REPS} x ${repMs} ms; GFLOP/s`);
console.log('');
console.log('| M x N x K | op(A) op(B) | what | SIMD | scalar | SIMD/scalar | SIMD (cpu time) | scalar (cpu time) | max rel diff |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
