// A module Web Worker that imports the installed kindling package (bundled with the page),
// trains a few steps as soon as it starts and posts the losses back.
import * as torch from 'kindling';

// The work runs at the top level, after kindling's top-level await: a message posted to a
// module worker before its module has finished evaluating is not guaranteed to arrive.
try {
  torch.manual_seed(3);
  const x = torch.randn(32, 3);
  const y = x.matmul(torch.tensor([[1], [-2], [0.5]], { dtype: 'float32' }));
  const model = new torch.nn.Linear(3, 1);
  const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
  const losses = [];
  for (let step = 0; step < 5; step++) {
    optimizer.zero_grad();
    const loss = torch.F.mse_loss(model(x), y);
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
  }
  self.postMessage({ losses, isWorker: typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope });
} catch (error) {
  self.postMessage({ error: String(error?.stack ?? error) });
}
