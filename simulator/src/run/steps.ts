// What each scenario step does. Admin steps call the admin API and register the change they make (with the hosts it
// reaches, from the endpoint's policy status before and after); fault steps go to the fleet processes or the endpoint
// process. Adding an action = a schema entry in policy-schemas/src/simulator-scenario.ts + a case here.

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { sleep, systemClock } from '../../../common/clock.js';
import { assignedPolicyIds, type TargetingAssignment } from '../../../management/src/service/targeting.js';
import type { Platform, PolicyDocument, ScenarioStep } from '../../../policy-schemas/src/index.js';
import type { AdminApi } from '../endpoint/admin-api.js';
import type { EndpointHandle } from '../endpoint/endpoint-process.js';
import type { Fleet } from '../fleet/fleet.js';
import type { BurstResult, HostSpec } from '../fleet/protocol.js';
import type { Scenario } from '../scenario/load.js';
import { chooseHosts, type Selection } from '../select.js';
import type { ActionTracker } from './actions.js';
import type { ChangeTracker, Expectation } from './changes.js';
import { type FaultRun, faultTargets } from './faults.js';
import { SecurityTaskSteps } from './security-tasks.js';

/** A policy the scenario created, by its scenario name. */
interface KnownPolicy {
  readonly policyId: string;
  document: PolicyDocument;
  version: number;
}

/** What step execution needs and what it records. */
export interface StepContext {
  readonly scenario: Scenario;
  readonly admin: AdminApi;
  readonly endpoint: EndpointHandle;
  readonly fleet: () => Fleet | undefined;
  readonly tracker: ChangeTracker;
  readonly groups: Map<string, string>;
  /** Group ids each host is a member of (dynamic rules evaluated on what the host enrolls with). */
  readonly membership: ReadonlyMap<number, readonly string[]>;
  /** The assignments on the endpoint, kept in step with every assignment change the steps make. */
  readonly assignments: TargetingAssignment[];
  readonly hostOfDevice: ReadonlyMap<string, number>;
  readonly deviceOfHost: ReadonlyMap<number, string>;
  readonly bursts: BurstResult[];
  /** Every host of the fleet (fault targets are chosen among the enrolled ones). */
  readonly hosts: readonly HostSpec[];
  /** Fault steps as run, with the hosts they were aimed at (their hits are collected at the end). */
  readonly faults: FaultRun[];
  /** Seconds since the start of the run. */
  readonly since: () => number;
  /** Time until which a fault is still in effect (partition, crash, endpoint down): settling waits for it. */
  faultsUntil: number;
  /** Fails the run (waitConverged timed out): recorded and reported. */
  readonly problems: string[];
  readonly waitConverged: (timeoutMs: number) => Promise<boolean>;
  /** The response actions the run creates and cancels. */
  readonly actions: ActionTracker;
  readonly log: (message: string) => void;
}

export class StepRunner {
  private readonly policies = new Map<string, KnownPolicy>();
  private readonly compliancePolicies = new Map<string, string>();
  /** createSecurityTask, waitSecurityTask, recordExposure (issue 18); their results go into results.json. */
  readonly securityTasks: SecurityTaskSteps;

  constructor(private readonly ctx: StepContext) {
    this.securityTasks = new SecurityTaskSteps(ctx);
  }

  /** Scenario policy name → policy id, for the policies that exist now. */
  get policyIds(): ReadonlyMap<string, string> {
    return new Map([...this.policies].map(([name, p]) => [name, p.policyId]));
  }

  /** Runs one step; `index` is its position (the seed salt of the hosts it picks). */
  async run(step: ScenarioStep, index: number): Promise<void> {
    const { ctx } = this;
    switch (step.action) {
      case 'createPolicy': {
        const document = this.document(step.file, step.document);
        const summary = await ctx.admin.createPolicy(document);
        const known = { policyId: summary.policyId, document, version: summary.latestVersion };
        this.policies.set(step.policy, known);
        if (step.assign?.length) {
          await this.tracked(`assign ${step.policy} → ${step.assign.join(', ')}`, index, known, async () => {
            for (const group of step.assign ?? []) this.assigned(await ctx.admin.assign(summary.policyId, this.group(group)));
          });
        }
        return;
      }
      case 'updatePolicy': {
        const known = this.policy(step.policy);
        const base = step.file || step.document ? this.document(step.file, step.document) : known.document;
        const document: PolicyDocument = step.settings ? { ...base, settings: { ...base.settings, ...step.settings } } : base;
        await this.tracked(`update ${step.policy}`, index, known, async () => {
          known.version = (await ctx.admin.updatePolicy(known.policyId, document)).latestVersion;
        });
        known.document = document;
        return;
      }
      case 'assignPolicy': {
        const known = this.policy(step.policy);
        await this.tracked(`assign ${step.policy} → ${step.group}`, index, known, async () => {
          this.assigned(await ctx.admin.assign(known.policyId, this.group(step.group), step.mode ?? 'include'));
        });
        return;
      }
      case 'unassignPolicy': {
        const known = this.policy(step.policy);
        const groupId = this.group(step.group);
        const assignments = (await ctx.admin.assignments()).filter((a) => a.policyId === known.policyId && a.groupId === groupId);
        await this.tracked(`unassign ${step.policy} ✕ ${step.group}`, index, known, async () => {
          for (const a of assignments) await ctx.admin.unassign(a.assignmentId);
          this.unassigned((a) => a.policyId === known.policyId && a.groupId === groupId);
        });
        return;
      }
      case 'deletePolicy': {
        const known = this.policy(step.policy);
        await this.tracked(`delete ${step.policy}`, index, known, async () => {
          await ctx.admin.deletePolicy(known.policyId);
          this.unassigned((a) => a.policyId === known.policyId);
        });
        this.policies.delete(step.policy);
        return;
      }
      case 'syncNow': {
        const devices = this.chosen(step, index).map((t) => t.deviceId);
        let delivered = 0;
        for (const id of devices) if ((await ctx.admin.syncDevice(id)).delivered) delivered++;
        ctx.log(`sync requested for ${devices.length} devices, ${delivered} delivered`);
        return;
      }
      case 'createCompliancePolicy': {
        const created = await ctx.admin.createCompliancePolicy(step.document);
        this.compliancePolicies.set(step.policy, created.compliancePolicyId);
        for (const group of step.assign ?? []) await ctx.admin.assignCompliancePolicy(created.compliancePolicyId, this.group(group));
        ctx.log(`compliance policy ${step.policy} created${step.assign?.length ? `, assigned to ${step.assign.join(', ')}` : ''}`);
        return;
      }
      case 'deleteCompliancePolicy': {
        const id = this.compliancePolicies.get(step.policy);
        if (!id) throw new Error(`compliance policy "${step.policy}" was not created`);
        await ctx.admin.deleteCompliancePolicy(id);
        this.compliancePolicies.delete(step.policy);
        return;
      }
      case 'importAdvisories': {
        const path = ctx.scenario.advisoryFiles.get(step.advisoryFile);
        if (!path) throw new Error(`advisory file "${step.advisoryFile}" was not resolved when the scenario was loaded`);
        const result = await ctx.admin.importAdvisories(basename(path), await readFile(path));
        ctx.log(
          `advisories ${basename(path)} (${result.format}): ${result.read} read, ${result.stored} stored, ${result.skippedCount} skipped, ${result.removed} removed`,
        );
        return;
      }
      case 'createSecurityTask':
        return this.securityTasks.create(step, index);
      case 'waitSecurityTask':
        return this.securityTasks.wait(step, index);
      case 'recordExposure':
        return this.securityTasks.record(step);
      case 'runAction': {
        const targets = this.chosen(step, index);
        const body = { comment: step.comment, ...step.parameters };
        const { created, refused } = await ctx.actions.create(targets, { type: step.type, step: index, body });
        ctx.log(`${step.type}: created on ${created} devices${refused > 0 ? `, refused on ${refused}` : ''}`);
        return;
      }
      case 'cancelActions': {
        const open = await ctx.actions.open(step);
        const chosen = chooseHosts(ctx.scenario.seed, index, [...open.keys()], step).flatMap((i) => open[i] ?? []);
        const accepted = await ctx.actions.cancel(chosen, step.comment ?? 'cancelled by the simulator scenario');
        ctx.log(`cancel: ${chosen.length} of ${open.length} open ${step.type ?? ''} actions asked, ${accepted} cancelled`);
        return;
      }
      case 'restartEndpoint': {
        const downMs = step.downSeconds * 1000;
        ctx.faultsUntil = Math.max(ctx.faultsUntil, systemClock.now() + downMs);
        ctx.log(`endpoint restart (${step.signal ?? 'SIGTERM'}, down ${step.downSeconds} s)`);
        ctx.faults.push({ step: index, action: step.action, at: ctx.since(), ...note(step), targeted: [], mayNotFire: false, endpoint: true });
        await ctx.endpoint.restart(downMs, step.signal ?? 'SIGTERM');
        return;
      }
      case 'killReplica': {
        const restartMs = step.restartAfterSeconds === undefined ? undefined : step.restartAfterSeconds * 1000;
        if (!ctx.endpoint.killReplica) throw new Error(`step ${index} (killReplica) needs endpoint replicas the simulator started (endpoint.replicas ≥ 2)`);
        if (restartMs !== undefined) ctx.faultsUntil = Math.max(ctx.faultsUntil, systemClock.now() + restartMs);
        ctx.log(`replica ${step.replica} killed (SIGKILL)${restartMs === undefined ? '' : `, back in ${step.restartAfterSeconds} s`}`);
        ctx.faults.push({ step: index, action: step.action, at: ctx.since(), ...note(step), targeted: [], mayNotFire: false, endpoint: true });
        await ctx.endpoint.killReplica(step.replica, restartMs);
        return;
      }
      case 'failWrites':
      case 'slowApply':
      case 'drift':
      case 'groupPolicyOverride':
      case 'crashHosts':
      case 'partition':
      case 'diskFull':
      case 'clockSkew':
      case 'injectThreat':
      case 'clearThreats':
      case 'failActions': {
        const duration = step.action === 'partition' || step.action === 'diskFull' ? step.durationSeconds : step.action === 'crashHosts' ? step.downSeconds : 0;
        ctx.faultsUntil = Math.max(ctx.faultsUntil, systemClock.now() + duration * 1000);
        const enrolled = ctx.hosts.filter((h) => ctx.deviceOfHost.has(h.index));
        const targets = faultTargets(step, index, ctx.scenario.seed, enrolled);
        if (step.action === 'failActions') ctx.actions.armed(step.type, step.hang ? targets.hosts : []);
        const at = ctx.since();
        const touched = await this.fleet().fault(step, index, targets);
        ctx.faults.push({ step: index, action: step.action, at, ...note(step), targeted: targets.hosts, mayNotFire: step.mayNotFire ?? false });
        ctx.log(`${step.action}: aimed at ${targets.hosts.length} hosts, ${step.action === 'failWrites' ? 'armed on' : 'touched'} ${touched.length}`);
        return;
      }
      case 'checkinBurst': {
        const concurrency = step.concurrency ?? 1_000_000;
        const results = await this.fleet().broadcast<BurstResult>({ type: 'burst', rounds: step.rounds, concurrency }, (hosts) => ({
          type: 'burst',
          rounds: step.rounds,
          concurrency: Math.max(1, Math.min(hosts, concurrency)),
        }));
        const merged: BurstResult = {
          checkins: results.reduce((n, r) => n + r.checkins, 0),
          failed: results.reduce((n, r) => n + r.failed, 0),
          started: Math.min(...results.map((r) => r.started)),
          finished: Math.max(...results.map((r) => r.finished)),
        };
        ctx.bursts.push(merged);
        ctx.log(`check-in burst: ${merged.checkins} in ${((merged.finished - merged.started) / 1000).toFixed(1)} s`);
        return;
      }
      case 'wait':
        await sleep(systemClock, step.seconds * 1000);
        return;
      case 'waitConverged':
        if (!(await ctx.waitConverged(step.timeoutSeconds * 1000)))
          ctx.problems.push(`step ${index} (waitConverged): not converged within ${step.timeoutSeconds} s`);
        return;
    }
  }

  /**
   * Runs an admin change on one policy and registers it: hosts that gain the policy or get a new version must report
   * that version; hosts that lose it must report without it. Whom it reaches is computed here with the endpoint's own
   * pure targeting code (management/src/service/targeting.ts) rather than asked of the endpoint, so measuring adds no
   * load to what is measured.
   */
  private async tracked(label: string, stepIndex: number, policy: KnownPolicy, change: () => Promise<void>): Promise<void> {
    const { ctx } = this;
    const before = this.holders(policy.policyId);
    const versionBefore = policy.version;
    const record = ctx.tracker.begin(label, stepIndex, policy.policyId, systemClock.now());
    await change();
    const after = this.holders(policy.policyId);
    const newVersion = policy.version > versionBefore;
    const targets = new Map<number, Expectation>();
    for (const host of after) if (newVersion || !before.has(host)) targets.set(host, { kind: 'version', version: policy.version });
    for (const host of before) if (!after.has(host)) targets.set(host, { kind: 'absent' });
    ctx.tracker.target(record, targets);
    ctx.log(`${label}: reaches ${targets.size} hosts`);
  }

  /** The enrolled hosts (of the step's platform) a share/count step picks, with their device ids. */
  private chosen(step: Selection & { readonly platform?: Platform | undefined }, index: number): { host: number; deviceId: string; platform: Platform }[] {
    const { ctx } = this;
    const enrolled = ctx.hosts.filter((h) => ctx.deviceOfHost.has(h.index) && (!step.platform || h.platform === step.platform));
    const platformOf = new Map(enrolled.map((h) => [h.index, h.platform]));
    return chooseHosts(
      ctx.scenario.seed,
      index,
      enrolled.map((h) => h.index),
      step,
    ).flatMap((host) => {
      const deviceId = ctx.deviceOfHost.get(host);
      const platform = platformOf.get(host);
      return deviceId && platform ? [{ host, deviceId, platform }] : [];
    });
  }

  /** Enrolled hosts that the current assignments give the policy. */
  private holders(policyId: string): Set<number> {
    const out = new Set<number>();
    for (const host of this.ctx.deviceOfHost.keys()) {
      if (assignedPolicyIds(this.ctx.membership.get(host) ?? [], this.ctx.assignments).includes(policyId)) out.add(host);
    }
    return out;
  }

  private assigned(a: { policyId: string; groupId: string; mode: 'include' | 'exclude' }): void {
    this.ctx.assignments.push({ policyId: a.policyId, groupId: a.groupId, mode: a.mode });
  }

  private unassigned(match: (a: TargetingAssignment) => boolean): void {
    for (let i = this.ctx.assignments.length - 1; i >= 0; i--) {
      const a = this.ctx.assignments[i];
      if (a && match(a)) this.ctx.assignments.splice(i, 1);
    }
  }

  private document(file: string | undefined, inline: PolicyDocument | undefined): PolicyDocument {
    const document = inline ?? (file ? this.ctx.scenario.documents.get(file) : undefined);
    if (!document) throw new Error(`no policy document for ${file ?? 'inline step'}`);
    return structuredClone(document);
  }

  private policy(name: string): KnownPolicy {
    const known = this.policies.get(name);
    if (!known) throw new Error(`policy "${name}" was not created`);
    return known;
  }

  private group(name: string): string {
    const id = this.ctx.groups.get(name);
    if (!id) throw new Error(`group "${name}" does not exist`);
    return id;
  }

  private fleet(): Fleet {
    const fleet = this.ctx.fleet();
    if (!fleet) throw new Error('fault steps need the fleet (not allowed in setup)');
    return fleet;
  }
}

function note(step: { note?: string | undefined }): { note?: string } {
  return step.note ? { note: step.note } : {};
}
