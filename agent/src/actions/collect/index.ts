// The investigation package (collectInvestigationPackage): what the executor calls for ResponseHost.collect.
export type { CollectDeps, InvestigationSources } from './gather.js';
export {
  type CollectOptions,
  collectInvestigationPackage,
  MANIFEST_NAME,
  type ManifestEntry,
  PACKAGES_DIR,
  type PackageManifest,
  removeLeftoverPackages,
} from './package.js';
export { EXCLUDED_FILES, STATE_FILES } from './sources.js';
