// nn/index.js: torch.nn — modules, layers, init, and functional.
export { Module, Parameter, Sequential, ModuleList } from './module.js';
export * from './layers.js';
export * as functional from './functional.js';
export * as init from './init.js';
