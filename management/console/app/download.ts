// Saves a JSON document the admin just created (an onboarding package) as a file, from memory: no second request,
// and the secret inside is never put in a URL.
export function downloadJson(fileName: string, value: unknown): void {
  const url = URL.createObjectURL(new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

/** The items of a list answer under the first of `keys` that holds an array. */
export function itemsOf<T>(body: unknown, keys: readonly string[]): T[] {
  if (Array.isArray(body)) return body as T[];
  for (const k of keys) {
    const v = (body as Record<string, unknown> | null)?.[k];
    if (Array.isArray(v)) return v as T[];
  }
  return [];
}
