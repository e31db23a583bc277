// The stylesheet is imported for its side effect: esbuild emits it as assets/main-<hash>.css.
declare module '*.css';
