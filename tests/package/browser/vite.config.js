// Vite's configuration for the page: the one setting kindling needs. Vite bundles workers as
// classic 'iife' scripts by default, and that format cannot hold kindling's top-level await
// (the wasm is instantiated at import), so module workers must be bundled as 'es'. The main
// page needs no configuration. (A plain object: the consumer project does not install vite.)
export default {
  worker: { format: 'es' },
  logLevel: 'warn',
};
