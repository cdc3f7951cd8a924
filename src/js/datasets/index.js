// datasets/index.js: `import * as datasets from 'kindling/datasets'` — torchvision-style
// datasets (MNIST, FashionMNIST, ImageFolder) and the readers beneath them: IDX (gzipped
// or not), numeric CSV, and browser images (File, Blob, canvas, ImageBitmap, ImageData).
// Samples come back as kindling images {data, width, height, channels} until a transform
// (kindling/transforms) makes tensors of them; the datasets plug into
// torch.utils.data.DataLoader.
import '../math.js'; // Tensor's math methods (max, pow, clamp, ...) whichever entry point loads first
export { readIdx, parseIdx, writeIdx } from './idx.js';
export { MNIST, FashionMNIST } from './mnist.js';
export { readCsv, CSVDataset } from './csv.js';
export {
  ImageFolder, IMG_EXTENSIONS, find_classes, classFromPath, relativePath, imageFromImageData, imageFromCanvas, loadImage,
} from './images.js';
export { isImage } from '../transforms/image.js';
