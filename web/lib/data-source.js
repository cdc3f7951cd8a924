// data-source.js: the worker's datasets — kindling/datasets' MNIST / FashionMNIST over the
// bundled gzipped IDX files (data/mnist/, data/fashion-mnist/ beside dist/, found by
// kindling itself relative to its module), each split loaded once per page. A training
// run gets the loaded datasets with its transform set (torchvision's `ds.transform = ...`),
// so changing the normalisation never reloads the files.
import * as datasets from '../dist/datasets/index.js';
import * as transforms from '../dist/transforms/index.js';

const CLASSES = { mnist: datasets.MNIST, fashion: datasets.FashionMNIST };

export async function loadDataset(torch, name) {
  const Dataset = CLASSES[name];
  if (!Dataset) throw new Error(`unknown dataset ${name}`);
  const [train_set, test_set] = await Promise.all([Dataset.load({ train: true }), Dataset.load({ train: false })]);
  return {
    trainImages: train_set.images, trainLabels: train_set.labels,
    testImages: test_set.images, testLabels: test_set.labels,
    /** The two datasets with ToTensor (+ Normalize(mean, std) when norm is given). */
    datasets(norm) {
      const transform = new transforms.Compose([
        new transforms.ToTensor(),
        ...(norm ? [new transforms.Normalize([norm[0]], [norm[1]])] : []),
      ]);
      train_set.transform = transform;
      test_set.transform = transform;
      return { train_set, test_set };
    },
  };
}
