// Test support: a store (or any object) whose method calls are counted by name, to assert how many reads a view makes.

/** `target` with every method call counted in `calls` by method name. */
export function countingProxy<T extends object>(target: T): { readonly proxy: T; readonly calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const proxy = new Proxy(target, {
    get(object, name, receiver) {
      const value = Reflect.get(object, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(name), (calls.get(String(name)) ?? 0) + 1);
        return value.apply(object, args);
      };
    },
  });
  return { proxy, calls };
}
