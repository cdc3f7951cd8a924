// Runs the native C tests that build.sh compiled with AddressSanitizer and
// UndefinedBehaviorSanitizer (build/native/test_*); each must exit 0 with clean sanitizers.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = new URL('../build/native/', import.meta.url);
const binaries = existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith('test_')) : [];

test('the native sanitizer build exists (./build.sh native)', () => {
  assert.ok(binaries.length > 0, 'no build/native/test_* binaries: run ./build.sh first');
});

for (const name of binaries) {
  test(`native ${name} passes under ASan + UBSan`, () => {
    const output = execFileSync(fileURLToPath(new URL(name, dir)), {
      encoding: 'utf8',
      env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:halt_on_error=1', UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assert.match(output, /0 failed/);
  });
}
