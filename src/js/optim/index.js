// optim/index.js: torch.optim — optimizers and lr_scheduler.
export { Optimizer } from './optimizer.js';
export { SGD } from './sgd.js';
export { Adam, AdamW } from './adam.js';
export { RMSprop } from './rmsprop.js';
export { Adagrad } from './adagrad.js';
export { Adadelta } from './adadelta.js';
export * as lr_scheduler from './lr_scheduler.js';
