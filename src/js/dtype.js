// dtype.js: the dtypes users see and the codes the core uses. int64 and bool are stored as
// int32 in the core (class indices and masks never need more).
export const DTYPES = ['float32', 'int64', 'bool'];
const ALIASES = { float: 'float32', float32: 'float32', long: 'int64', int64: 'int64', int: 'int64', int32: 'int64', bool: 'bool' };

export function dtypeCode(call, dtype) {
  // own properties only: ALIASES['toString'] would find Object.prototype's function
  const name = typeof dtype === 'string' && Object.hasOwn(ALIASES, dtype) ? ALIASES[dtype] : undefined;
  if (name === undefined)
    throw new TypeError(`${call}: unsupported dtype ${JSON.stringify(dtype)}; kindling has 'float32', 'int64' and 'bool'`);
  return DTYPES.indexOf(name);
}
