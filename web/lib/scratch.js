// scratch.js: runs a small kindling computation for the page (a demo table, a plot) under
// torch.no_grad and frees every tensor it registered when it returns, so that redrawing on
// every slider move keeps the wasm heap flat whatever the step rule would decide.

/** fn(T) where T(tensor) registers a tensor (or a module's buffers) for disposal; returns fn's result. */
export function scratch(torch, fn) {
  const made = [];
  const T = (x) => {
    if (x instanceof torch.Tensor) made.push(x);
    else if (x && typeof x.buffers === 'function') made.push(...x.buffers(), ...x.parameters());
    return x;
  };
  try {
    return torch.no_grad(() => fn(T));
  } finally {
    for (const x of made) if (!x.is_disposed) x.dispose();
  }
}
