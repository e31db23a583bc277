// The agent's state dir: identity, device key, last good policies, last sync outcome, the report outbox, the risk
// signals state and the outbox of signals (alert reports, health and inventory uploads, response-action updates).

import { join } from 'node:path';
import { AttacheError } from '../../../common/errors.js';
import { isoTime } from '../../../common/iso-time.js';
import { parseJsonText } from '../../../common/json-text.js';
import { validate } from '../../../common/validation.js';
import {
  ActionUpdatesRequest,
  type ActionUpdatesRequest as ActionUpdatesRequestT,
  AgentAppliedVersions,
  AgentBaseline,
  AgentIdentity,
  type AgentIdentity as AgentIdentityT,
  AgentPolicyCache,
  AgentPolicySetFloor,
  type AgentPolicySetFloor as AgentPolicySetFloorT,
  AgentSignalsState,
  type AgentSignalsState as AgentSignalsStateT,
  AgentSigningKeys,
  type AgentSigningKeys as AgentSigningKeysT,
  AlertReport,
  type AlertReport as AlertReportT,
  type BaselineEntry,
  HealthUpload,
  type HealthUpload as HealthUploadT,
  InventoryUpload,
  type InventoryUpload as InventoryUploadT,
  type PinnedSigningKey,
  type SignedPolicySetManifest,
  type SignedPolicy as SignedPolicyT,
  type SignedSuppressionList,
  StatusReport,
  type StatusReport as StatusReportT,
  SyncOutcome,
  type SyncOutcome as SyncOutcomeT,
} from '../../../policy-schemas/src/index.js';
import type { SetFloor } from '../core/set-floor.js';
import { type FileStore, NodeFileStore } from '../system/file-store.js';
import { FileMemo } from './file-memo.js';
import { Outbox } from './outbox.js';

/** The response-action ledger (actions/executor/ledger.ts): it belongs to the device identity, and goes with it. */
export const ACTIONS_FILE = 'actions.json';
/**
 * What the software uploader last had acknowledged (runtime/software-upload.ts): it belongs to the device identity too,
 * so a re-enrolled or offboarded device uploads its software again.
 */
export const SOFTWARE_STATE_FILE = 'software-inventory.json';

const FILES = {
  identity: 'identity.json',
  key: 'device-key.pem',
  policies: 'policies.json',
  status: 'status.json',
  outbox: 'outbox',
  baseline: 'baseline.json',
  versions: 'applied-versions.json',
  setFloor: 'policy-set.json',
  signals: 'signals.json',
  signalsOutbox: 'signals-outbox',
  nextKey: 'device-key.next.pem',
  signingKeys: 'signing-keys.json',
  actions: ACTIONS_FILE,
  software: SOFTWARE_STATE_FILE,
} as const;

/** Files every sync reads: served from memory after the first read or the agent's own write (state/file-memo.ts). */
const REMEMBERED: ReadonlySet<string> = new Set([FILES.policies, FILES.versions, FILES.setFloor, FILES.signingKeys, FILES.status]);

/** One queued message for the endpoint's signal routes, by kind (the file name carries the kind). */
export type SignalMessage =
  | { readonly kind: 'alerts'; readonly body: AlertReportT }
  | { readonly kind: 'health'; readonly body: HealthUploadT }
  | { readonly kind: 'inventory'; readonly body: InventoryUploadT }
  /** Response-action updates (POST /v1/device/actions/updates): each kept until acknowledged, never superseded. */
  | { readonly kind: 'actionUpdates'; readonly body: ActionUpdatesRequestT };

const SIGNAL_SCHEMAS = { alerts: AlertReport, health: HealthUpload, inventory: InventoryUpload, actionUpdates: ActionUpdatesRequest } as const;
const UUID = /[0-9a-f-]{36}/;
/** Signal file names carry the kind: `<sequence>-<kind>-<id>.json`. */
const SIGNAL_TAG = new RegExp(`(?:alerts|health|inventory|actionUpdates)-${UUID.source}`);
/** Kinds where only the newest message matters: queuing one drops the older ones of its kind. */
const SUPERSEDED: ReadonlySet<SignalMessage['kind']> = new Set(['health', 'inventory']);

/** Most messages kept per outbox while the endpoint is unreachable; the oldest go first (newer ones supersede them). */
const OUTBOX_LIMIT = 500;

function signalKind(tag: string | undefined): SignalMessage['kind'] {
  return tag?.slice(0, tag.indexOf('-')) as SignalMessage['kind'];
}

/** The last verified policies and the etag they came with. */
export interface CachedPolicies {
  readonly etag: string | undefined;
  readonly policies: SignedPolicyT[];
  /** The set's signed manifest, as fetched (absent in caches from before manifests). */
  readonly manifest?: SignedPolicySetManifest | undefined;
  /** The signed alert suppression list that came with the set (absent: none). */
  readonly suppressions?: SignedSuppressionList | undefined;
}

export class StateStore {
  private readonly files: FileStore;
  private readonly reportsOutbox: Outbox<StatusReportT>;
  private readonly signalsOutbox: Outbox<SignalMessage>;
  private readonly memo = new FileMemo();

  /**
   * `options.files` replaces the disk (the fleet simulator keeps thousands of state dirs in memory); `onProblem` hears
   * about state it had to set aside (a corrupt queued message), so the daemon can log it.
   */
  constructor(
    readonly dir: string,
    private readonly options: {
      readonly posixPermissions: boolean;
      readonly files?: FileStore;
      readonly onProblem?: (message: string, details: Record<string, string>) => void;
    } = { posixPermissions: true },
  ) {
    this.files = options.files ?? new NodeFileStore();
    this.reportsOutbox = new Outbox(
      {
        dir: join(dir, FILES.outbox),
        tag: UUID,
        limit: OUTBOX_LIMIT,
        decode: (data, tag) => validate(StatusReport, data, `outbox/ report ${tag}`, 'STATE_CORRUPT'),
        onCorrupt: (name, keptAs, error) => this.problem('queued report unreadable, set aside', { file: join(FILES.outbox, name), keptAs, error }),
      },
      this.files,
    );
    this.signalsOutbox = new Outbox<SignalMessage>(
      {
        dir: join(dir, FILES.signalsOutbox),
        tag: SIGNAL_TAG,
        limit: OUTBOX_LIMIT,
        // The file holds the body only; its name carries the kind (the layout of version 1, kept).
        encode: (message) => message.body,
        supersedes: (tag, oldTag) => SUPERSEDED.has(signalKind(tag)) && signalKind(oldTag) === signalKind(tag),
        decode: (data, tag) => {
          const kind = signalKind(tag);
          return { kind, body: validate(SIGNAL_SCHEMAS[kind], data, `signals-outbox/ ${tag}`, 'STATE_CORRUPT') } as SignalMessage;
        },
        onCorrupt: (name, keptAs, error) => this.problem('queued signal unreadable, set aside', { file: join(FILES.signalsOutbox, name), keptAs, error }),
      },
      this.files,
    );
  }

  /** The files of the state dir (disk, or memory in the fleet simulator): other state kept there uses the same store. */
  get fileStore(): FileStore {
    return this.files;
  }

  /** Creates the state dir and outbox, owner-only. */
  async init(): Promise<void> {
    await this.files.ensureDir(join(this.dir, FILES.outbox), 0o700);
    await this.files.ensureDir(join(this.dir, FILES.signalsOutbox), 0o700);
    if (this.options.posixPermissions) {
      await this.files.setMode(this.dir, 0o700);
      await this.files.setMode(join(this.dir, FILES.outbox), 0o700);
      await this.files.setMode(join(this.dir, FILES.signalsOutbox), 0o700);
    }
  }

  async readIdentity(): Promise<AgentIdentityT | undefined> {
    return this.readJson(FILES.identity, (data) => validate(AgentIdentity, data, 'identity.json', 'STATE_CORRUPT'));
  }

  async writeIdentity(identity: AgentIdentityT, privateKeyPem: string): Promise<void> {
    // Key first: an identity file must never exist without its key.
    await this.files.writeAtomic(join(this.dir, FILES.key), privateKeyPem, { mode: 0o600 });
    await this.files.writeAtomic(join(this.dir, FILES.identity), `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o600 });
  }

  async readPrivateKeyPem(): Promise<string> {
    let pem: string | undefined;
    try {
      pem = await this.files.read(join(this.dir, FILES.key));
    } catch (err) {
      throw new AttacheError('STATE_CORRUPT', `device key ${join(this.dir, FILES.key)} is unreadable`, { cause: err });
    }
    if (pem === undefined) throw new AttacheError('STATE_CORRUPT', `device key ${join(this.dir, FILES.key)} is missing`);
    return pem;
  }

  /** The key generated for a device-key rotation the endpoint has not confirmed yet (device-key.next.pem). */
  async readNextKeyPem(): Promise<string | undefined> {
    return this.files.read(join(this.dir, FILES.nextKey));
  }

  async writeNextKey(privateKeyPem: string): Promise<void> {
    await this.files.writeAtomic(join(this.dir, FILES.nextKey), privateKeyPem, { mode: 0o600 });
  }

  /**
   * Makes the confirmed next key the device key. Each step is atomic and the order makes every crash recoverable:
   * key file, then identity, then the next file goes (a next file equal to the key means "finish the promotion").
   */
  async promoteNextKey(privateKeyPem: string, identity: AgentIdentityT): Promise<void> {
    await this.files.writeAtomic(join(this.dir, FILES.key), privateKeyPem, { mode: 0o600 });
    await this.files.writeAtomic(join(this.dir, FILES.identity), `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o600 });
    await this.files.remove(join(this.dir, FILES.nextKey));
  }

  async removeNextKey(): Promise<void> {
    await this.files.remove(join(this.dir, FILES.nextKey));
  }

  /** Pinned policy-signing keys after following the endpoint's key chain; undefined = only the onboarding pin. */
  async readSigningKeys(): Promise<PinnedSigningKey[] | undefined> {
    const file = await this.readJson(FILES.signingKeys, (data) => validate(AgentSigningKeys, data, 'signing-keys.json', 'STATE_CORRUPT'));
    return file?.keys;
  }

  async writeSigningKeys(keys: readonly PinnedSigningKey[]): Promise<void> {
    const body: AgentSigningKeysT = { formatVersion: 1, keys: [...keys] };
    await this.writeRemembered(FILES.signingKeys, `${JSON.stringify(body, null, 2)}\n`);
  }

  /** Last verified policies; callers verify them again before use (the file could have been edited). */
  async readPolicies(): Promise<CachedPolicies | undefined> {
    const cache = await this.readJson(FILES.policies, (data) => validate(AgentPolicyCache, data, 'policies.json', 'STATE_CORRUPT'));
    return (
      cache && {
        etag: cache.etag,
        policies: cache.policies,
        ...(cache.manifest ? { manifest: cache.manifest } : {}),
        ...(cache.suppressions ? { suppressions: cache.suppressions } : {}),
      }
    );
  }

  async writePolicies(cache: CachedPolicies): Promise<void> {
    const body = {
      formatVersion: 1,
      ...(cache.etag ? { etag: cache.etag } : {}),
      ...(cache.manifest ? { manifest: cache.manifest } : {}),
      policies: cache.policies,
      ...(cache.suppressions ? { suppressions: cache.suppressions } : {}),
    };
    // The set was validated and verified before it is cached: the next read need not parse and check it again.
    await this.writeRemembered(FILES.policies, `${JSON.stringify(body)}\n`, body);
  }

  async readStatus(): Promise<SyncOutcomeT | undefined> {
    return this.readJson(FILES.status, (data) => validate(SyncOutcome, data, 'status.json', 'STATE_CORRUPT'));
  }

  async writeStatus(outcome: SyncOutcomeT): Promise<void> {
    await this.writeRemembered(FILES.status, `${JSON.stringify(outcome, null, 2)}\n`, outcome);
  }

  /** Pre-management values of managed settings, by setting id (empty when nothing was managed yet). */
  async readBaseline(): Promise<Record<string, BaselineEntry>> {
    const file = await this.readJson(FILES.baseline, (data) => validate(AgentBaseline, data, 'baseline.json', 'STATE_CORRUPT'));
    return file?.settings ?? {};
  }

  /**
   * Sets a corrupt state file aside as `<name>.corrupt-<time>` (kept for recovery by hand, never read again) and
   * returns that name; the caller starts afresh. Undefined when there was nothing to keep.
   */
  async setAside(name: string, at: number): Promise<string | undefined> {
    const text = await this.files.read(join(this.dir, name)).catch(() => undefined);
    if (text === undefined) return undefined;
    const keptAs = `${name}.corrupt-${isoTime(at).replace(/[:.]/g, '-')}`;
    await this.files.writeAtomic(join(this.dir, keptAs), text, { mode: 0o600 });
    this.memo.forget(name);
    await this.files.remove(join(this.dir, name));
    return keptAs;
  }

  private problem(message: string, details: Record<string, string>): void {
    this.options.onProblem?.(message, details);
  }

  async writeBaseline(settings: Readonly<Record<string, BaselineEntry>>): Promise<void> {
    const body: AgentBaseline = { formatVersion: 1, settings: { ...settings } };
    await this.files.writeAtomic(join(this.dir, FILES.baseline), `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  }

  /** Highest applied version per policy id. */
  async readAppliedVersions(): Promise<Record<string, number>> {
    const file = await this.readJson(FILES.versions, (data) => validate(AgentAppliedVersions, data, 'applied-versions.json', 'STATE_CORRUPT'));
    return file?.versions ?? {};
  }

  /** The highest policy-set version applied and its list (policy-set.json), undefined before the first manifest. */
  async readSetFloor(): Promise<SetFloor | undefined> {
    const file = await this.readJson(FILES.setFloor, (data) => validate(AgentPolicySetFloor, data, 'policy-set.json', 'STATE_CORRUPT'));
    return (
      file && {
        setVersion: file.setVersion,
        policies: file.policies,
        ...(file.suppressionsIssuedAt ? { suppressionsIssuedAt: file.suppressionsIssuedAt } : {}),
      }
    );
  }

  async writeSetFloor(floor: SetFloor): Promise<void> {
    const body: AgentPolicySetFloorT = {
      formatVersion: 1,
      setVersion: floor.setVersion,
      policies: [...floor.policies],
      ...(floor.suppressionsIssuedAt ? { suppressionsIssuedAt: floor.suppressionsIssuedAt } : {}),
    };
    await this.writeRemembered(FILES.setFloor, `${JSON.stringify(body)}\n`);
  }

  async writeAppliedVersions(versions: Readonly<Record<string, number>>): Promise<void> {
    const body: AgentAppliedVersions = { formatVersion: 1, versions: { ...versions } };
    await this.writeRemembered(FILES.versions, `${JSON.stringify(body, null, 2)}\n`);
  }

  /**
   * Drops policies, applied versions, the policy-set floor, status, queued reports, the action ledger and the software
   * upload state (re-enrollment under a new identity). The baseline
   * stays: the device's pre-management values do not change with its identity.
   */
  async forgetDeviceState(): Promise<void> {
    for (const name of REMEMBERED) this.memo.forget(name);
    await this.files.remove(join(this.dir, FILES.policies));
    await this.files.remove(join(this.dir, FILES.versions));
    // The set floor belongs to the old device id: the new one's set versions start again at 1.
    await this.files.remove(join(this.dir, FILES.setFloor));
    await this.files.remove(join(this.dir, FILES.status));
    await this.files.remove(join(this.dir, FILES.signals));
    await this.files.remove(join(this.dir, FILES.signingKeys));
    await this.files.remove(join(this.dir, FILES.nextKey));
    await this.files.remove(join(this.dir, FILES.actions));
    await this.files.remove(join(this.dir, FILES.software));
    await this.reportsOutbox.clear();
    await this.signalsOutbox.clear();
  }

  /**
   * Offboarding's last local step: the device identity goes (identity first, then the keys: a key without an identity
   * is never used, an identity without its key would be), so the agent can never sign a request as this device again;
   * then the action ledger, which belonged to that identity.
   */
  async deleteIdentity(): Promise<void> {
    this.memo.forget(FILES.identity);
    await this.files.remove(join(this.dir, FILES.identity));
    await this.files.remove(join(this.dir, FILES.key));
    await this.files.remove(join(this.dir, FILES.nextKey));
    await this.files.remove(join(this.dir, FILES.software));
    // Last: until the identity is gone, a restart finds the offboard in the ledger and finishes it.
    await this.files.remove(join(this.dir, FILES.actions));
  }

  /** The risk signals state (alerts, health, what was last uploaded); undefined before the first check. */
  async readSignals(): Promise<AgentSignalsStateT | undefined> {
    return this.readJson(FILES.signals, (data) => validate(AgentSignalsState, data, 'signals.json', 'STATE_CORRUPT'));
  }

  async writeSignals(state: AgentSignalsStateT): Promise<void> {
    await this.files.writeAtomic(join(this.dir, FILES.signals), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  }

  /**
   * Queues a signal message durably (until the endpoint acknowledges it). Health and inventory supersede older queued
   * messages of their kind; alert reports are all kept, in order (each carries different transitions).
   */
  async enqueueSignal(message: SignalMessage, sequence: number, id: string): Promise<void> {
    // Checked before queuing: an invalid message would be dropped unsent when read back, silently.
    validate(SIGNAL_SCHEMAS[message.kind], message.body, `${message.kind} message`);
    await this.signalsOutbox.enqueue(sequence, `${message.kind}-${id}`, message);
  }

  /** Queued signal messages, oldest first. Files that fail validation are dropped (they could never be sent). */
  async pendingSignals(): Promise<{ name: string; message: SignalMessage }[]> {
    return this.signalsOutbox.pending();
  }

  async removeSignal(name: string): Promise<void> {
    await this.signalsOutbox.remove(name);
  }

  /** Highest sequence number in the signals outbox, so a restarted agent keeps the order. */
  async lastSignalSequence(): Promise<number> {
    return this.signalsOutbox.lastSequence();
  }

  /** Queues a report durably; it stays until the endpoint acknowledges it. */
  async enqueueReport(report: StatusReportT, sequence: number): Promise<void> {
    await this.reportsOutbox.enqueue(sequence, report.reportId, report);
  }

  /** Queued reports, oldest first. Unreadable files are dropped (they could never be sent). */
  async pendingReports(): Promise<{ name: string; report: StatusReportT }[]> {
    return (await this.reportsOutbox.pending()).map(({ name, message }) => ({ name, report: message }));
  }

  async removeReport(name: string): Promise<void> {
    await this.reportsOutbox.remove(name);
  }

  /** Highest sequence number in the outbox, so a restarted agent keeps the order. */
  async lastSequence(): Promise<number> {
    return this.reportsOutbox.lastSequence();
  }

  private async readJson<T>(name: string, check: (data: unknown) => T): Promise<T | undefined> {
    const path = join(this.dir, name);
    const load = async () => {
      try {
        return await this.files.read(path);
      } catch (err) {
        throw new AttacheError('STATE_CORRUPT', `${path} is unreadable`, { cause: err });
      }
    };
    const checkText = (text: string) => check(parseJsonText(text, path, 'STATE_CORRUPT'));
    if (REMEMBERED.has(name)) return this.memo.read(name, load, checkText);
    const text = await load();
    return text === undefined ? undefined : checkText(text);
  }

  /** Writes a file every sync reads; later reads are served from memory until the next write (state/file-memo.ts). */
  private async writeRemembered(name: string, text: string, value?: unknown): Promise<void> {
    await this.memo.write(name, text, () => this.files.writeAtomic(join(this.dir, name), text, { mode: 0o600 }), value);
  }
}
