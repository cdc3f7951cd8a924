// synthetic-cifar10.mjs: a seeded CIFAR-shaped data set for cifar10_tutorial.mjs, so that the
// blitz's CIFAR-10 classifier runs without downloading CIFAR-10 (170 MB). It has the interface
// the tutorial uses of torchvision.datasets.CIFAR10 — getitem(i) -> [transform(image), label],
// `data` (uint8 [N, 32, 32, 3], HWC as CIFAR10.data), `targets`, `classes` — and images that are
// learnable but not trivial: a colour per class, stripes along rows, columns or diagonals
// (label % 3), and per-pixel noise. Everything comes from a 32-bit integer hash of
// (seed, index, pixel), so tests/fixtures/programs/bundled.py (FakeCIFAR10) makes the same
// bytes in Python and the twin programs see the same data.
import * as torch from '../../dist/index.js';

function mix(x) { // lowbias32
  x >>>= 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

const CLASS_COLOURS = [[164, 92, 92], [92, 164, 92], [92, 92, 164], [164, 164, 92], [164, 92, 164],
  [92, 164, 164], [128, 128, 128], [176, 128, 80], [80, 128, 176], [128, 80, 176]];

/** [uint8 image [32 * 32 * 3] (HWC), label] of sample `index` of the set made with `seed`. */
export function syntheticImage(seed, index) {
  const label = mix(seed * 1000003 + index) % 10;
  const base = CLASS_COLOURS[label];
  const image = new Uint8Array(32 * 32 * 3);
  const start = (seed * 7919 + index) * 3072; // < 2^53: exact, and its low 32 bits are what mix() sees
  for (let y = 0; y < 32; y++)
    for (let x = 0; x < 32; x++) {
      const along = label % 3 === 0 ? y : label % 3 === 1 ? x : x + y;
      const stripe = Math.floor(along / 4) % 2;
      for (let c = 0; c < 3; c++) {
        const noise = mix((start + (y * 32 + x) * 3 + c) % 2 ** 32) % 193;
        image[(y * 32 + x) * 3 + c] = Math.max(0, Math.min(255, base[c] - 96 + noise + 24 * stripe));
      }
    }
  return [image, label];
}

export class FakeCIFAR10 extends torch.utils.data.Dataset {
  static classes = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

  constructor(size, { train = true, transform = null } = {}) {
    super();
    const seed = train ? 1 : 2;
    this.data = new Uint8Array(size * 3072);
    this.targets = [];
    for (let i = 0; i < size; i++) {
      const [image, label] = syntheticImage(seed, i);
      this.data.set(image, i * 3072);
      this.targets.push(label);
    }
    this.classes = FakeCIFAR10.classes.slice();
    this.transform = transform;
  }
  len() { return this.targets.length; }
  getitem(index) {
    let image = { data: this.data.subarray(index * 3072, (index + 1) * 3072), shape: [32, 32, 3] };
    if (this.transform) image = this.transform.forward ? this.transform.forward(image) : this.transform(image);
    return [image, this.targets[index]];
  }
}
