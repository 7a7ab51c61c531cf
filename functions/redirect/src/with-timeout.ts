// The hard timeout of the redirect's Redis calls: a slow Redis costs at most this long.

/** `promise`, or a rejection once `ms` passed. @example await withTimeout(kv.get(key), 25) */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis took longer than ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
