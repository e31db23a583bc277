// The ActionStore part of the SQL store (response actions, migration 0017); SqlComplianceStore extends it, it extends
// SqlSecurityTaskStore. Queries live
// in sql-actions.ts; this class only binds them to the database.
import type {
  ActionChange,
  ActionFilter,
  ActionRecord,
  ActionStore,
  DeliverableAction,
  NewAction,
  PackageChunk,
  PackageProgress,
  UpdateDecision,
} from './action-store.js';
import * as packages from './sql-action-packages.js';
import * as actions from './sql-actions.js';
import { SqlSecurityTaskStore } from './sql-security-task-store.js';

/** ActionStore (and SecurityTaskStore, AdminStore) on the SQL database. */
export class SqlActionStore extends SqlSecurityTaskStore implements ActionStore {
  createAction(action: NewAction): Promise<void> {
    return actions.createAction(this.db, action);
  }
  getAction(actionId: string): Promise<ActionRecord | undefined> {
    return actions.getAction(this.db, actionId);
  }
  listActions(filter: ActionFilter): Promise<ActionRecord[]> {
    return actions.listActions(this.db, filter);
  }
  deliverableActions(deviceId: string, nowIso: string, limit: number): Promise<DeliverableAction[]> {
    return actions.deliverableActions(this.db, deviceId, nowIso, limit);
  }
  markActionsDelivered(actionIds: readonly string[], atIso: string): Promise<void> {
    return actions.markActionsDelivered(this.db, actionIds, atIso);
  }
  applyActionUpdates<U extends { readonly actionId: string }>(
    deviceId: string,
    updates: readonly U[],
    decide: (current: ActionRecord, update: U) => UpdateDecision,
  ): Promise<UpdateDecision[]> {
    return actions.applyActionUpdates(this.db, deviceId, updates, decide);
  }
  changeAction(actionId: string, decide: (current: ActionRecord) => ActionChange): Promise<ActionRecord> {
    return actions.changeAction(this.db, actionId, decide);
  }
  timeOutActions(nowIso: string): Promise<string[]> {
    return actions.timeOutActions(this.db, nowIso);
  }
  putPackageChunk(actionId: string, deviceId: string, chunk: PackageChunk): Promise<PackageProgress> {
    return packages.putPackageChunk(this.db, actionId, deviceId, chunk);
  }
  packageChunks(actionId: string): AsyncIterable<Buffer> {
    return packages.packageChunks(this.db, actionId);
  }
}
