// Effective settings: what the assigned policies together ask of this device. The merge itself is pure and shared
// with the endpoint (common/policy-merge.ts); the agent core uses it from here.
export { computeEffective, type EffectiveSetting, itemKeyOf } from '../../../common/policy-merge.js';
