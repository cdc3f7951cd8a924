// utils/index.js: torch.utils — only torch.utils.data for now.
export * as data from './data.js';
