// utils/index.d.ts: types for torch.utils — only torch.utils.data for now.
export * as data from './data.js';
