// A browser consumer of the installed kindling package, bundled by Vite or esbuild (and run
// unbundled with an import map): a matmul, 20 training steps of a tiny MLP, a transform
// from kindling/transforms, and a module Web Worker that trains too. Writes one JSON object
// into #out and sets <body data-done> ("ok" or "error").
import * as torch from 'kindling';
import { ToTensor } from 'kindling/transforms';

function train() {
  torch.manual_seed(0);
  const x = torch.randn(64, 4);
  const y = x.sum(1).gt(0).long();
  const model = new torch.nn.Sequential(new torch.nn.Linear(4, 16), new torch.nn.ReLU(), new torch.nn.Linear(16, 2));
  const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.5 });
  const losses = [];
  for (let step = 0; step < 20; step++) {
    optimizer.zero_grad();
    const loss = torch.F.cross_entropy(model(x), y);
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
  }
  return losses;
}

function fromWorker() {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the worker did not answer within 20 s')), 20000);
    worker.onmessage = (event) => { clearTimeout(timer); worker.terminate(); resolve(event.data); };
    worker.onerror = (event) => { clearTimeout(timer); reject(new Error(`worker error: ${event.message || 'failed to load'}`)); };
  });
}

const out = document.getElementById('out');
try {
  const matmul = torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' }).matmul(torch.tensor([[5, 6], [7, 8]], { dtype: 'float32' })).tolist();
  const losses = train();
  const pixel = new ToTensor()({ data: Uint8Array.from([0, 255]), width: 2, height: 1, channels: 1 }).tolist();
  const worker = await fromWorker();
  out.textContent = JSON.stringify({ matmul, losses, pixel, simd: torch.simd_available(), worker });
  document.body.dataset.done = 'ok';
} catch (error) {
  out.textContent = JSON.stringify({ error: String(error?.stack ?? error) });
  document.body.dataset.done = 'error';
}
