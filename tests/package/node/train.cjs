// A CommonJS consumer of the installed kindling package: kindling is an ES module with
// top-level await, so CommonJS code loads it with dynamic import(). Trains a tiny MLP for
// 20 steps and prints one JSON line for tests/package.test.js.
'use strict';

async function main() {
  const torch = await import('kindling');
  const { ToTensor } = await import('kindling/transforms');
  const { readCsv } = await import('kindling/datasets');
  torch.manual_seed(1);
  const x = torch.randn(64, 4);
  const y = x.sum(1).gt(0).long();
  const model = new torch.nn.Sequential(new torch.nn.Linear(4, 16), new torch.nn.Tanh(), new torch.nn.Linear(16, 2));
  const optimizer = new torch.optim.Adam(model.parameters(), { lr: 0.05 });
  const losses = [];
  for (let step = 0; step < 20; step++) {
    optimizer.zero_grad();
    const loss = torch.F.cross_entropy(model(x), y);
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
  }
  const table = readCsv('label,a,b\n1,0.5,2\n0,3,4\n');
  const pixel = new ToTensor()({ data: Uint8Array.from([255]), width: 1, height: 1, channels: 1 });
  console.log(JSON.stringify({ losses, csv: { rows: table.rows, labels: Array.from(table.labels) }, pixel: pixel.item() }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
