// The agent's state dir: identity, device key, last good policies, last sync outcome, the report outbox, the risk
// signals state and the outbox of signals (alert reports, health and inventory uploads).
import { join } from 'node:path';
import { AttacheError } from '../../../common/errors.js';
import { validate } from '../../../common/validation.js';
import {
  AgentAppliedVersions,
  AgentBaseline,
  AgentIdentity,
  type AgentIdentity as AgentIdentityT,
  AgentPolicyCache,
  AgentSignalsState,
  type AgentSignalsState as AgentSignalsStateT,
  AlertReport,
  type AlertReport as AlertReportT,
  type BaselineEntry,
  HealthUpload,
  type HealthUpload as HealthUploadT,
  InventoryUpload,
  type InventoryUpload as InventoryUploadT,
  type SignedPolicy as SignedPolicyT,
  StatusReport,
  type StatusReport as StatusReportT,
  SyncOutcome,
  type SyncOutcome as SyncOutcomeT,
} from '../../../policy-schemas/src/index.js';
import { type FileStore, NodeFileStore } from '../system/file-store.js';

const FILES = {
  identity: 'identity.json',
  key: 'device-key.pem',
  policies: 'policies.json',
  status: 'status.json',
  outbox: 'outbox',
  baseline: 'baseline.json',
  versions: 'applied-versions.json',
  signals: 'signals.json',
  signalsOutbox: 'signals-outbox',
} as const;

/** One queued message for the endpoint's signal routes, by kind (the file name carries the kind). */
export type SignalMessage =
  | { readonly kind: 'alerts'; readonly body: AlertReportT }
  | { readonly kind: 'health'; readonly body: HealthUploadT }
  | { readonly kind: 'inventory'; readonly body: InventoryUploadT };

const SIGNAL_SCHEMAS = { alerts: AlertReport, health: HealthUpload, inventory: InventoryUpload } as const;
const SIGNAL_FILE = /^(\d{16})-(alerts|health|inventory)-([0-9a-f-]{36})\.json$/;
/** Kinds where only the newest message matters: queuing one drops the older ones of its kind. */
const SUPERSEDED: ReadonlySet<SignalMessage['kind']> = new Set(['health', 'inventory']);

/** Most reports kept while the endpoint is unreachable; the oldest go first (newer reports supersede them). */
const OUTBOX_LIMIT = 500;

/** The last verified policies and the etag they came with. */
export interface CachedPolicies {
  readonly etag: string | undefined;
  readonly policies: SignedPolicyT[];
}

export class StateStore {
  private readonly files: FileStore;

  /** `options.files` replaces the disk (the fleet simulator keeps thousands of state dirs in memory). */
  constructor(
    readonly dir: string,
    private readonly options: { readonly posixPermissions: boolean; readonly files?: FileStore } = { posixPermissions: true },
  ) {
    this.files = options.files ?? new NodeFileStore();
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

  /** Last verified policies; callers verify them again before use (the file could have been edited). */
  async readPolicies(): Promise<CachedPolicies | undefined> {
    const cache = await this.readJson(FILES.policies, (data) => validate(AgentPolicyCache, data, 'policies.json', 'STATE_CORRUPT'));
    return cache && { etag: cache.etag, policies: cache.policies };
  }

  async writePolicies(cache: CachedPolicies): Promise<void> {
    const body = { formatVersion: 1, ...(cache.etag ? { etag: cache.etag } : {}), policies: cache.policies };
    await this.files.writeAtomic(join(this.dir, FILES.policies), `${JSON.stringify(body)}\n`, { mode: 0o600 });
  }

  async readStatus(): Promise<SyncOutcomeT | undefined> {
    return this.readJson(FILES.status, (data) => validate(SyncOutcome, data, 'status.json', 'STATE_CORRUPT'));
  }

  async writeStatus(outcome: SyncOutcomeT): Promise<void> {
    await this.files.writeAtomic(join(this.dir, FILES.status), `${JSON.stringify(outcome, null, 2)}\n`, { mode: 0o600 });
  }

  /** Pre-management values of managed settings, by setting id (empty when nothing was managed yet). */
  async readBaseline(): Promise<Record<string, BaselineEntry>> {
    const file = await this.readJson(FILES.baseline, (data) => validate(AgentBaseline, data, 'baseline.json', 'STATE_CORRUPT'));
    return file?.settings ?? {};
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

  async writeAppliedVersions(versions: Readonly<Record<string, number>>): Promise<void> {
    const body: AgentAppliedVersions = { formatVersion: 1, versions: { ...versions } };
    await this.files.writeAtomic(join(this.dir, FILES.versions), `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  }

  /**
   * Drops policies, applied versions, status and queued reports (re-enrollment under a new identity). The baseline
   * stays: the device's pre-management values do not change with its identity.
   */
  async forgetDeviceState(): Promise<void> {
    await this.files.remove(join(this.dir, FILES.policies));
    await this.files.remove(join(this.dir, FILES.versions));
    await this.files.remove(join(this.dir, FILES.status));
    await this.files.remove(join(this.dir, FILES.signals));
    for (const name of await this.outboxNames()) await this.removeReport(name);
    for (const name of await this.signalNames()) await this.removeSignal(name);
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
    const name = `${String(sequence).padStart(16, '0')}-${message.kind}-${id}.json`;
    // Checked before queuing: an invalid message would be dropped unsent when read back, silently.
    validate(SIGNAL_SCHEMAS[message.kind], message.body, `${message.kind} message`);
    await this.files.writeAtomic(join(this.dir, FILES.signalsOutbox, name), JSON.stringify(message.body), { mode: 0o600 });
    if (SUPERSEDED.has(message.kind)) {
      for (const old of await this.signalNames()) if (old !== name && SIGNAL_FILE.exec(old)?.[2] === message.kind) await this.removeSignal(old);
    }
    const names = await this.signalNames();
    for (const old of names.slice(0, Math.max(0, names.length - OUTBOX_LIMIT))) await this.removeSignal(old);
  }

  /** Queued signal messages, oldest first. Files that fail validation are dropped (they could never be sent). */
  async pendingSignals(): Promise<{ name: string; message: SignalMessage }[]> {
    const out: { name: string; message: SignalMessage }[] = [];
    for (const name of await this.signalNames()) {
      const kind = SIGNAL_FILE.exec(name)?.[2] as SignalMessage['kind'];
      try {
        const data = JSON.parse((await this.files.read(join(this.dir, FILES.signalsOutbox, name))) ?? '');
        const body = validate(SIGNAL_SCHEMAS[kind], data, `signals-outbox/${name}`, 'STATE_CORRUPT');
        out.push({ name, message: { kind, body } as SignalMessage });
      } catch {
        await this.removeSignal(name);
      }
    }
    return out;
  }

  async removeSignal(name: string): Promise<void> {
    await this.files.remove(join(this.dir, FILES.signalsOutbox, name));
  }

  /** Highest sequence number in the signals outbox, so a restarted agent keeps the order. */
  async lastSignalSequence(): Promise<number> {
    const last = (await this.signalNames()).at(-1);
    return last ? Number.parseInt(last.slice(0, 16), 10) : 0;
  }

  private async signalNames(): Promise<string[]> {
    try {
      return (await this.files.list(join(this.dir, FILES.signalsOutbox))).filter((n) => SIGNAL_FILE.test(n)).sort();
    } catch {
      return [];
    }
  }

  /** Queues a report durably; it stays until the endpoint acknowledges it. */
  async enqueueReport(report: StatusReportT, sequence: number): Promise<void> {
    const name = `${String(sequence).padStart(16, '0')}-${report.reportId}.json`;
    await this.files.writeAtomic(join(this.dir, FILES.outbox, name), JSON.stringify(report), { mode: 0o600 });
    const names = await this.outboxNames();
    for (const old of names.slice(0, Math.max(0, names.length - OUTBOX_LIMIT))) await this.removeReport(old);
  }

  /** Queued reports, oldest first. Unreadable files are dropped (they could never be sent). */
  async pendingReports(): Promise<{ name: string; report: StatusReportT }[]> {
    const out: { name: string; report: StatusReportT }[] = [];
    for (const name of await this.outboxNames()) {
      try {
        const data = JSON.parse((await this.files.read(join(this.dir, FILES.outbox, name))) ?? '');
        out.push({ name, report: validate(StatusReport, data, `outbox/${name}`, 'STATE_CORRUPT') });
      } catch {
        await this.removeReport(name);
      }
    }
    return out;
  }

  async removeReport(name: string): Promise<void> {
    await this.files.remove(join(this.dir, FILES.outbox, name));
  }

  /** Highest sequence number in the outbox, so a restarted agent keeps the order. */
  async lastSequence(): Promise<number> {
    const names = await this.outboxNames();
    const last = names.at(-1);
    return last ? Number.parseInt(last.slice(0, 16), 10) : 0;
  }

  private async outboxNames(): Promise<string[]> {
    try {
      return (await this.files.list(join(this.dir, FILES.outbox))).filter((n) => /^\d{16}-[0-9a-f-]{36}\.json$/.test(n)).sort();
    } catch {
      return [];
    }
  }

  private async readJson<T>(name: string, check: (data: unknown) => T): Promise<T | undefined> {
    let text: string | undefined;
    try {
      text = await this.files.read(join(this.dir, name));
    } catch (err) {
      throw new AttacheError('STATE_CORRUPT', `${join(this.dir, name)} is unreadable`, { cause: err });
    }
    if (text === undefined) return undefined;
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new AttacheError('STATE_CORRUPT', `${join(this.dir, name)} is not valid JSON`, { cause: err });
    }
    return check(data);
  }
}
