// bench/gemm.mjs: GFLOP/s of kindling's GEMM (gemm_f32 through the k_gemm export), WASM SIMD
// path versus scalar path, on the shapes that dominate training the reference CNN.
// Reported, never asserted. Not a correctness test (tests/native/test_gemm.c is), though it
// does print how far the two paths' results differ.
//
// usage: node bench/gemm.mjs [path/to/kindling.wasm] [--rep-ms=300] [--trans]
//   default wasm: dist/kindling.wasm beside this repo's bench/ folder.
//   --rep-ms  length of one timed repetition (best of 3 repetitions is reported)
//   --trans   also time the three other transpose combinations of every shape
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
const REPS = 3;

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
  if (typeof e._initialize === 'function') e._initialize(); // reactor: run constructors
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

// Best of REPS repetitions, each calling k_gemm for at least repMs of wall-clock time.
// Returns GFLOP/s by wall clock and by this process's CPU time: on a shared host the second
// is less disturbed by other processes taking the core away.
function timeGemm(e, simd, call, flops) {
  e.k_set_simd(simd);
  if (call() !== 0) throw new Error('k_gemm returned an error (allocation failed?)');
  let wall = 0, cpu = 0;
  for (let r = 0; r < REPS; r++) {
    let n = 0;
    const u0 = process.cpuUsage();
    const t0 = performance.now();
    let t = t0;
    do { call(); n++; t = performance.now(); } while (t - t0 < repMs);
    const u = process.cpuUsage(u0);
    wall = Math.max(wall, (flops * n) / ((t - t0) * 1e6));
    cpu = Math.max(cpu, (flops * n) / ((u.user + u.system) * 1e3));
  }
  return { wall, cpu };
}

const e = await instantiate(wasmPath);
const rows = [];
const runs = [];
for (const shape of SHAPES) {
  if (!flags.trans) runs.push(shape);
  else if (shape.tA === 0 && shape.tB === 0)
    for (const [tA, tB] of [[0, 0], [1, 0], [0, 1], [1, 1]]) runs.push({ ...shape, tA, tB });
}
for (const { M, N, K, tA, tB, what } of runs) {
  const pA = e.k_malloc(M * K * 4), pB = e.k_malloc(K * N * 4), pC = e.k_malloc(M * N * 4);
  if (!pA || !pB || !pC) throw new Error(`k_malloc failed for ${M}x${N}x${K}`);
  // views are made after the allocations: growing memory detaches older views
  const mem = () => e.memory.buffer;
  fill(new Float32Array(mem(), pA, M * K), 1);
  fill(new Float32Array(mem(), pB, K * N), 2);
  const lda = tA ? M : K, ldb = tB ? K : N;
  const call = () => e.k_gemm(tA, tB, M, N, K, 1.0, pA, lda, pB, ldb, 0.0, pC, N);
  const flops = 2 * M * N * K;
  const simd = timeGemm(e, 1, call, flops);
  let scalar = { wall: NaN, cpu: NaN }, diff = '-';
  if (!flags['simd-only']) {
    const cSimd = new Float32Array(mem(), pC, M * N).slice();
    scalar = timeGemm(e, 0, call, flops);
    const cScalar = new Float32Array(mem(), pC, M * N);
    let maxDiff = 0, maxAbs = 0;
    for (let i = 0; i < cSimd.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(cSimd[i] - cScalar[i]));
      maxAbs = Math.max(maxAbs, Math.abs(cScalar[i]));
    }
    diff = (maxDiff / maxAbs).toExponential(1);
  }
  e.k_free(pA); e.k_free(pB); e.k_free(pC);
  const trans = `${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}`;
  const f = (x) => x.toFixed(1);
  rows.push(`| ${M}x${N}x${K} | ${trans} | ${what} | ${f(simd.wall)} | ${f(scalar.wall)} | ` +
    `${(simd.wall / scalar.wall).toFixed(2)}x | ${f(simd.cpu)} | ${f(scalar.cpu)} | ${diff} |`);
  process.stderr.write('.');
}
process.stderr.write('\n');
e.k_set_simd(1);

console.log(`GEMM, single thread, Node ${process.version}, ${wasmPath}; best of ${REPS} x ${repMs} ms; GFLOP/s`);
console.log('');
console.log('| M x N x K | op(A) op(B) | what | SIMD | scalar | SIMD/scalar | SIMD (cpu time) | scalar (cpu time) | max rel diff |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
