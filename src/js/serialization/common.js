// serialization/common.js: the error type every reader throws. A FormatError is an Error
// whose message starts with "load:" and says what is wrong with the file; the readers
// throw nothing else for bad input (index.js wraps anything unexpected, see `guard`).
export class FormatError extends Error {}

/** Throws a FormatError "load: <message>". */
export function fail(message) {
  throw new FormatError(`load: ${message}`);
}
