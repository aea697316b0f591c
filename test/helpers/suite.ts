import { suite as uvuSuite, type Test } from 'uvu';

/** A test that has not settled after this long fails, so a hang names its test instead of stalling the run. */
export const TEST_TIMEOUT_MS = 180_000;

type Body<T> = (context: T) => void | Promise<void>;

/** `body`, failing with a clear message once it has run `ms` without settling. */
export function timed<T, R>(title: string, body: (context: T) => R | Promise<R>, ms: number): (context: T) => Promise<R> {
  return (context) =>
    new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`"${title}" timed out after ${ms} ms`)), ms);
      const start = performance.now();
      Promise.resolve()
        .then(() => body(context))
        .then(resolve, reject)
        .finally(() => {
          clearTimeout(timer);
          // TEST_TIMES=1 lists every test's time, to find the slow ones.
          if (process.env.TEST_TIMES) console.error(`${(performance.now() - start).toFixed(0).padStart(7)} ms  ${title}`);
        });
    });
}

/** uvu's suite, every test of which (`test`, `test.only`) gets a timeout: TEST_TIMEOUT_MS unless given. */
export function suite<T = Record<string, never>>(name: string, { timeout = TEST_TIMEOUT_MS }: { timeout?: number } = {}): Test<T> {
  const inner = uvuSuite<T>(name);
  const wrap = (register: (title: string, body: Body<T>) => void) => (title: string, body: Body<T>) => register(title, timed(title, body, timeout));
  const only = wrap(inner.only);
  return new Proxy(inner, {
    apply: (_target, _this, [title, body]: [string, Body<T>]) => wrap(inner)(title, body),
    get: (target, key, receiver) => (key === 'only' ? only : Reflect.get(target, key, receiver)),
  });
}
