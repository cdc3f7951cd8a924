// memory.js: who frees wasm memory, so that plain PyTorch loops need no dispose calls.
//
// The rule (README, "Memory"):
// - Tensors you create (torch.tensor, zeros, randn, ...), parameters, gradients, buffers
//   and optimizer state are *kept*: they live until you call dispose() (or, as a bonus,
//   until the JS garbage collector drops their wrapper).
// - Tensors computed by operations are *step-scoped*: each belongs to the step in which it
//   was last used (made, read, or passed to an op), and stays valid through the step after
//   that; it is released when that next step ends. So a tensor used on every turn of a
//   loop lives on, and one made in a turn and dropped is gone two turns later.
//   t.keep() makes a tensor kept. Tensors a Dataset creates while a DataLoader fetches a
//   batch are step-scoped too (they are made anew every turn).
// - Before the first step event, nothing is step-scoped: a script's setup (data prepared
//   with ops, say) is kept, as it runs once.
// - A step is one turn of the user's loop. Three events mark loop turns: loss.backward(),
//   the outermost torch.no_grad(fn) returning, and a DataLoader yielding a batch. A step
//   ends when an event of a kind already seen in the current step happens again, so a turn
//   that calls backward, then updates weights under no_grad, then iterates its DataLoader
//   still counts as one step, whatever the loop looks like.
// - Touching a released tensor throws an Error that says which rule released it.
// The garbage collector cannot be what bounds the heap (it never sees wasm memory
// pressure), so scoping does; the FinalizationRegistry only releases kept tensors early.
import { k } from './core.js';

let step = 0;
let seen = new Set(); // kinds of step events seen in the current step
let started = false;  // has any step event happened yet?
let loaderDepth = 0;  // > 0 while a DataLoader makes a batch
const buckets = new Map(); // step number -> step-scoped tensors made during that step

const collected = new FinalizationRegistry((handle) => k.k_release(handle));

export const currentStep = () => step;

/** Registers a new wrapper: kept, or scoped to the current step. */
export function adopt(tensor, kept) {
  collected.register(tensor, tensor._h, tensor);
  if ((kept && loaderDepth === 0) || !started) tensor._kept = true;
  else scope(tensor);
  return tensor;
}

function scope(tensor) {
  tensor._kept = false;
  tensor._step = step;
  let bucket = buckets.get(step);
  if (!bucket) buckets.set(step, (bucket = []));
  bucket.push(tensor);
}

/**
 * Runs a DataLoader's batch fetch: tensors a Dataset creates there (torch.tensor in
 * getitem, transforms) are step-scoped like the batch itself, not kept, since the loop
 * makes new ones every turn.
 */
export function loaderFetch(fn) {
  loaderDepth++;
  try {
    return fn();
  } finally {
    loaderDepth--;
  }
}

/** A use of a step-scoped tensor moves it into the current step. */
export function touch(tensor) {
  if (!tensor._kept && tensor._step !== step) scope(tensor);
}

export function keep(tensor) {
  tensor._kept = true;
  return tensor;
}

/** Gives up ownership: the tensor becomes step-scoped from now (old grads, replaced state). */
export function release_later(tensor) {
  if (tensor && tensor._h && tensor._kept) scope(tensor);
}

export function dispose(tensor, reason) {
  if (!tensor._h) return;
  collected.unregister(tensor);
  k.k_release(tensor._h);
  tensor._h = 0;
  tensor._released = reason;
}

/** Records a loop event ('backward' | 'no_grad' | 'loader'); a repeated kind ends the step. */
export function stepEvent(kind) {
  started = true;
  if (seen.has(kind)) {
    endStep();
    seen = new Set();
  }
  seen.add(kind);
}

/** Ends a step: releases the step-scoped tensors of the step before the one just ended. */
function endStep() {
  const old = step - 1;
  step++;
  for (const [made, bucket] of buckets) {
    if (made > old) continue;
    for (const t of bucket)
      if (t._h && !t._kept && t._step === made)
        dispose(t, `it was last used during step ${made} and released when step ${step - 1} ended ` +
          `(step-scoped memory, see the README's "Memory" section); call .keep() on a tensor ` +
          `to keep it across steps`);
    buckets.delete(made);
  }
}

export function scopedCount() {
  let n = 0;
  for (const bucket of buckets.values()) for (const t of bucket) if (t._h && !t._kept) n++;
  return n;
}
