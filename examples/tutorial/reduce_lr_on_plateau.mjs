// ReduceLROnPlateau: lower lr when the number you pass to scheduler.step(metric) — usually
// the validation loss — stops improving. (The original tutorial guessed the number was
// computed internally; it is whatever you pass.) patience=5: lr drops once the metric has
// not improved for more than 5 epochs.
// Run: node examples/tutorial/reduce_lr_on_plateau.mjs   (after ./build.sh)
import * as torch from '../../dist/index.js';

const { nn, optim } = torch;
const { ReduceLROnPlateau } = optim.lr_scheduler;

// A scripted validation loss: improves, then stalls, improves a little, stalls again.
const valLosses = [1.0, 0.8, 0.7, 0.65, 0.66, 0.65, 0.67, 0.66, 0.68, 0.66, 0.67, 0.6, 0.59, 0.595,
  0.6, 0.61, 0.6, 0.6, 0.62, 0.59, 0.61, 0.6, 0.6, 0.605, 0.6, 0.61, 0.6, 0.6, 0.6, 0.6];

const model = new nn.Linear(4, 3);
const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
const scheduler = new ReduceLROnPlateau(optimizer, { mode: 'min', factor: 0.1, patience: 5 });

valLosses.forEach((valLoss, epoch) => {
  optimizer.step(); // ... one epoch of training, then the validation loss
  scheduler.step(valLoss);
  console.log(`epoch ${epoch} val_loss ${valLoss} lr ${optimizer.param_groups[0].lr}`);
});

// mode='max' for a metric that should grow (accuracy), with threshold, cooldown and min_lr
const accuracy = [0.5, 0.6, 0.7, 0.72, 0.721, 0.72, 0.719, 0.72, 0.73, 0.73, 0.729, 0.73, 0.73, 0.731, 0.73, 0.73];
const optimizer2 = new optim.Adam(model.parameters(), { lr: 0.001 });
const scheduler2 = new ReduceLROnPlateau(optimizer2, {
  mode: 'max', factor: 0.5, patience: 2, threshold: 0.01, cooldown: 1, min_lr: 0.0002,
});
accuracy.forEach((acc, epoch) => {
  optimizer2.step();
  scheduler2.step(acc);
  console.log(`epoch ${epoch} accuracy ${acc} lr ${optimizer2.param_groups[0].lr}`);
});
