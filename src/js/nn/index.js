// nn/index.js: torch.nn — modules, layers, init, and functional.
export { Module, Parameter, Sequential, ModuleList } from './module.js';
export * from './layers.js';
export * as functional from './functional.js';
export * as init from './init.js';
export { CrossEntropyLoss, NLLLoss, L1Loss, MSELoss, SmoothL1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss } from './loss.js';
