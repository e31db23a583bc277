// Light and dark: the system's prefers-color-scheme unless the admin picked one with the toggle (kept in localStorage).
export type Theme = 'light' | 'dark' | 'system';

const KEY = 'attache-console-theme';

export function storedTheme(): Theme {
  const v = localStorage.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

/** Applies `theme` to <html data-theme> (the stylesheet's override of prefers-color-scheme) and remembers it. */
export function applyTheme(theme: Theme): void {
  if (theme === 'system') {
    delete document.documentElement.dataset.theme;
    localStorage.removeItem(KEY);
  } else {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem(KEY, theme);
  }
}
