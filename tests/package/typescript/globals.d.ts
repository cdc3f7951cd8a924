// The one global example.ts needs when it is checked without the DOM lib and without
// @types/node (tsconfig.bundler.json): kindling's own types must need neither.
declare const console: { log(...data: unknown[]): void };
