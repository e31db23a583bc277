// A fleet-simulator scenario (simulator/, `npm run simulate -- --scenario <file>`): the fleet, the admin actions and
// faults on a timeline, and the expectations that decide pass or fail. QA writes these files; see simulator/README.md.
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { ActionStatus, ActionType, QuarantineId, Sha256Hex, SOFTWARE_NAME_PATTERN } from './actions.js';
import { DeviceTag, DynamicGroupRule } from './admin-api.js';
import { CompliancePolicyDocument } from './compliance-api.js';
import { IsolationMode } from './isolation.js';
import { PolicyDocument } from './policy.js';
import { OsType, Platform, SettingState, SettingValue } from './primitives.js';
import { ComplianceState } from './signals.js';
import { SOFTWARE_LIMITS, SoftwareSource, VersionScheme } from './software.js';
import { TaggedUnion } from './tagged-union.js';
import { ExposureLevel, TaskPriority, TaskStatus } from './vulnerabilities.js';

// Embedded copies carry no $id (Ajv refuses the same $id twice).
const Rule = Type.Object(DynamicGroupRule.properties, { additionalProperties: false });
const Document = Type.Object(PolicyDocument.properties, { additionalProperties: false });
const ComplianceDocument = Type.Object(CompliancePolicyDocument.properties, { additionalProperties: false });

const Name = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$' });
const Share = Type.Number({ minimum: 0, maximum: 1, description: 'fraction of the hosts (0–1), chosen by the scenario seed' });
const Seconds = (max = 86_400) => Type.Number({ minimum: 0, maximum: max });
const HostCount = Type.Integer({ minimum: 0, maximum: 100_000, description: 'exact number of hosts, chosen by the scenario seed' });
/**
 * Which hosts a fault hits: `share` (round(share × eligible hosts)) or `count` of the eligible hosts (of `platform`
 * when given), picked with the scenario seed. `mayNotFire`: the run does not fail when the fault touched no host.
 */
const Selection = { share: Type.Optional(Share), count: Type.Optional(HostCount), platform: Type.Optional(Platform) };
const Target = {
  ...Selection,
  mayNotFire: Type.Optional(Type.Boolean({ description: 'the fault may touch no host without failing the run' })),
};
/** Optional start time of a step, in seconds after the fleet is ready; without it the step follows the previous one. */
const At = { at: Type.Optional(Seconds()), note: Type.Optional(Type.String({ maxLength: 200 })) };

/** A policy document by file (relative to the repository root or the scenario file) or inline. */
const PolicySource = {
  file: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  document: Type.Optional(Document),
};

const step = <A extends string, T extends Record<string, TSchema>>(action: A, properties: T, description: string) =>
  Type.Object({ action: Type.Literal(action), ...At, ...properties }, { additionalProperties: false, description });

/** Admin actions: what an administrator does through the admin API. Latency is measured from each of them. */
export const ScenarioAdminActions = [
  step(
    'createPolicy',
    { policy: Name, ...PolicySource, assign: Type.Optional(Type.Array(Name, { maxItems: 20 })) },
    'Create a policy (file or inline document; `policy` is the name later steps use) and optionally assign it to groups',
  ),
  step(
    'updatePolicy',
    { policy: Name, ...PolicySource, settings: Type.Optional(Type.Record(Type.String({ maxLength: 200 }), SettingValue)) },
    'New version of a policy: a whole document, or `settings` merged over the current ones',
  ),
  step(
    'assignPolicy',
    { policy: Name, group: Name, mode: Type.Optional(Type.Union([Type.Literal('include'), Type.Literal('exclude')])) },
    'Assign a policy to a group',
  ),
  step('unassignPolicy', { policy: Name, group: Name }, 'Remove the assignments of a policy to a group'),
  step('deletePolicy', { policy: Name }, 'Delete a policy (devices restore the settings it managed)'),
  step('syncNow', { ...Selection }, 'Press the admin "sync" button for a share or a count of the devices'),
  step(
    'createCompliancePolicy',
    { policy: Name, document: ComplianceDocument, assign: Type.Optional(Type.Array(Name, { maxItems: 20 })) },
    'Create a compliance policy and optionally assign it to groups (devices are evaluated by the endpoint)',
  ),
  step('deleteCompliancePolicy', { policy: Name }, 'Delete a compliance policy'),
  step(
    'importAdvisories',
    { advisoryFile: Type.String({ minLength: 1, maxLength: 1000 }) },
    'Import an advisory file (OSV JSON or zip, NVD CVE JSON 2.0) with POST /v1/admin/vulnerabilities/advisories; `advisoryFile` is relative to the scenario file or the repository',
  ),
  step(
    'runAction',
    {
      type: ActionType,
      ...Selection,
      parameters: Type.Optional(
        Type.Object(
          {
            isolationType: Type.Optional(IsolationMode),
            scanType: Type.Optional(Type.Union([Type.Literal('quick'), Type.Literal('full')])),
            sha256: Type.Optional(Sha256Hex),
            path: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
            quarantineId: Type.Optional(QuarantineId),
            /** updateSoftware: the packages to update (names from the device's software; fixedVersion optional). */
            packages: Type.Optional(
              Type.Array(
                Type.Object(
                  {
                    name: Type.String({ minLength: 1, maxLength: 256, pattern: SOFTWARE_NAME_PATTERN }),
                    fixedVersion: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
                  },
                  { additionalProperties: false },
                ),
                { minItems: 1, maxItems: 100 },
              ),
            ),
          },
          { additionalProperties: false, description: "the request body's fields besides the comment (POST /v1/admin/devices/:id/<type>)" },
        ),
      ),
      comment: Type.String({ minLength: 1, maxLength: 1000 }),
    },
    'Create a response action (isolate, runAntivirusScan, …) on a share or a count of the enrolled devices; its delivery and completion are measured',
  ),
  step(
    'createSecurityTask',
    {
      task: Name,
      software: Type.String({ minLength: 1, maxLength: 256, description: "the recommendation's software (as advisories name it: a Debian source package)" }),
      ecosystem: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "the recommendation's ecosystem (`Debian:12`) when several match" })),
      remediate: Type.Optional(Type.Boolean({ description: 'accept it at once with remediate: an updateSoftware action on every exposed device' })),
      priority: Type.Optional(TaskPriority),
      creatorNotes: Type.Optional(Type.String({ maxLength: 4000 })),
    },
    'Create a security task from the recommendation for `software` (GET /v1/admin/vulnerabilities/recommendations?search=, POST /v1/admin/security-tasks) for its exposed devices; with `remediate` accept it (status active, remediate: true), and track the updateSoftware actions it creates; `task` is the name later steps and expectations use',
  ),
  step(
    'cancelActions',
    {
      type: Type.Optional(ActionType),
      ...Selection,
      comment: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    },
    'Cancel a share or a count of the actions this run created (of `type`, on hosts of `platform`) that are still pending or in progress',
  ),
];

/** Faults: what goes wrong on the devices, the network or the endpoint. */
export const ScenarioFaultActions = [
  step(
    'failWrites',
    {
      rates: Type.Optional(
        Type.Record(Type.String({ maxLength: 200 }), Share, { description: 'setting id → share of the hosts having it whose writes of it fail (0 clears)' }),
      ),
      counts: Type.Optional(
        Type.Record(Type.String({ maxLength: 200 }), HostCount, { description: 'setting id → number of hosts whose writes of it fail (0 clears)' }),
      ),
      platform: Type.Optional(Platform),
      message: Type.Optional(Type.String({ maxLength: 200 })),
      mayNotFire: Target.mayNotFire,
    },
    'Make writes of settings fail on a share or a count of hosts (SETTING_APPLY_FAILED), until set to 0; fires when a write fails',
  ),
  step('slowApply', { ...Target, delayMs: Type.Integer({ minimum: 0, maximum: 600_000 }) }, 'Delay every apply on a share of hosts (0 clears)'),
  step('drift', { ...Target, setting: Type.String({ maxLength: 200 }), value: SettingValue }, 'Change a setting behind the agent (local admin, malware)'),
  step(
    'groupPolicyOverride',
    {
      ...Target,
      setting: Type.String({ maxLength: 200 }),
      value: Type.Union([SettingValue, Type.Null()], { description: "the GPO's value, in effect whatever the agent writes; null clears the override" }),
      source: Type.Optional(
        Type.String({ minLength: 1, maxLength: 200, description: 'who imposes it, as the agent reports it (default "Group Policy \'Simulated GPO\'")' }),
      ),
    },
    "A Group Policy imposes a setting's value on a share of the hosts having it (GPO wins over MDM): the agent's writes land but do not take effect and it reports the setting `conflict` (SETTING_OVERRIDDEN) naming the source; `value: null` clears it and the agent's value is in effect again",
  ),
  step('crashHosts', { ...Target, downSeconds: Seconds(3600) }, 'Kill the agent of a share of hosts and start it again after downSeconds'),
  step('partition', { ...Target, durationSeconds: Seconds(3600) }, 'Cut a share of hosts off the network for a duration'),
  step(
    'diskFull',
    { ...Target, durationSeconds: Seconds(3600) },
    "Fill the disk of a share of hosts for a duration: every write of the agent's state dir fails with ENOSPC",
  ),
  step(
    'restartEndpoint',
    { downSeconds: Seconds(600), signal: Type.Optional(Type.Union([Type.Literal('SIGTERM'), Type.Literal('SIGKILL')])) },
    'Stop the management endpoint (graceful or killed) and start it again after downSeconds',
  ),
  step(
    'killReplica',
    { replica: Type.Integer({ minimum: 0, maximum: 15 }), restartAfterSeconds: Type.Optional(Seconds(3600)) },
    'Kill one endpoint replica with SIGKILL (needs endpoint.replicas ≥ 2); devices reconnect through HAProxy to the others; start it again after restartAfterSeconds when given',
  ),
  step('clockSkew', { ...Target, seconds: Type.Number({ minimum: -864_000, maximum: 864_000 }) }, 'Set the clock offset of a share of hosts (0 clears)'),
  step(
    'injectThreat',
    {
      ...Target,
      severity: Type.Optional(Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')])),
      name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    },
    'An antivirus detection on a share of hosts (needs fleet.signals): the agent raises an alert and its risk level',
  ),
  step('clearThreats', { ...Target }, 'Remove injected detections from a share of hosts (the agent resolves the alerts)'),
  step(
    'failActions',
    {
      ...Target,
      type: ActionType,
      code: Type.Optional(
        Type.String({ pattern: '^[A-Z][A-Z0-9_]{2,63}$', description: "the error the action ends with (default: the type's usual failure)" }),
      ),
      hang: Type.Optional(Type.Boolean({ description: 'the action never finishes (a scan or collect still stops when cancelled)' })),
    },
    'Make a response action type fail (or hang) on a share or a count of the hosts, replacing earlier failActions of the type (share 0 clears); fires when an action really fails there',
  ),
];

/** Load and control steps. */
export const ScenarioControlActions = [
  step(
    'checkinBurst',
    { rounds: Type.Integer({ minimum: 1, maximum: 100 }), concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })) },
    'Every host checks in `rounds` times back to back (endpoint check-in capacity)',
  ),
  step('wait', { seconds: Seconds() }, 'Do nothing for a while'),
  step('waitConverged', { timeoutSeconds: Seconds(3600) }, 'Wait until every host applied every change so far (fails the run on timeout)'),
  step(
    'waitSecurityTask',
    { task: Name, status: TaskStatus, timeoutSeconds: Seconds(3600) },
    'Wait until a security task of createSecurityTask has this status (fails the run on timeout)',
  ),
  step(
    'recordExposure',
    {
      label: Name,
      timeoutSeconds: Type.Optional(Seconds(3600)),
    },
    'Record the hosts per exposure level now under `label` (results.json `exposureSnapshots`; an exposureLevel expectation with `at` reads it); first waits up to timeoutSeconds (default 0) until every enrolled host has an exposure computed',
  ),
];

export const ScenarioStep = TaggedUnion('action', [...ScenarioAdminActions, ...ScenarioFaultActions, ...ScenarioControlActions]);
export type ScenarioStep = Static<typeof ScenarioStep>;

const Percentile = Type.Number({ minimum: 1, maximum: 100 });

/** What must hold at the end; each failed one is named and the command exits non-zero. */
export const ScenarioExpectations = [
  Type.Object(
    { type: Type.Literal('pushToApplied'), percentile: Percentile, maxMs: Type.Number({ minimum: 0 }) },
    { additionalProperties: false, description: 'That percentile of admin-change → applied-report latencies is at most maxMs' },
  ),
  Type.Object({ type: Type.Literal('allEnrolled') }, { additionalProperties: false, description: 'Every host enrolled' }),
  Type.Object(
    { type: Type.Literal('converged') },
    { additionalProperties: false, description: 'Every targeted host reported every change (new version applied, removed policy gone)' },
  ),
  Type.Object(
    { type: Type.Literal('noReportLost') },
    { additionalProperties: false, description: 'Every report an agent queued was acknowledged by the endpoint' },
  ),
  Type.Object(
    {
      type: Type.Literal('errorCount'),
      code: Type.String({ pattern: '^[A-Z][A-Z0-9_]{2,63}$' }),
      min: Type.Optional(Type.Integer({ minimum: 0 })),
      max: Type.Optional(Type.Integer({ minimum: 0 })),
    },
    { additionalProperties: false, description: 'How often an error code was seen (bounds inclusive)' },
  ),
  Type.Object(
    { type: Type.Literal('onlyErrorCodes'), codes: Type.Array(Type.String({ pattern: '^[A-Z][A-Z0-9_]{2,63}$' }), { maxItems: 50 }) },
    { additionalProperties: false, description: 'No error code outside this list was seen' },
  ),
  Type.Object(
    {
      type: Type.Literal('eventsSeen'),
      event: Type.Union([Type.Literal('remediated'), Type.Literal('restored'), Type.Literal('rejected')]),
      min: Type.Integer({ minimum: 0 }),
    },
    { additionalProperties: false, description: 'At least `min` such events reached the endpoint' },
  ),
  Type.Object(
    {
      type: Type.Literal('minRate'),
      metric: Type.Union([Type.Literal('enrollmentsPerSecond'), Type.Literal('checkinsPerSecond')]),
      min: Type.Number({ minimum: 0 }),
    },
    { additionalProperties: false, description: 'A throughput measured during the run is at least `min`' },
  ),
  Type.Object(
    { type: Type.Literal('pushConnected'), minShare: Share },
    { additionalProperties: false, description: 'At the end, at least this share of the hosts has its push channel open' },
  ),
  Type.Object(
    { type: Type.Literal('maxBytesPerHost'), bytes: Type.Integer({ minimum: 1 }) },
    { additionalProperties: false, description: 'Simulator memory per idle host is at most this' },
  ),
  Type.Object(
    { type: Type.Literal('maxEndpointRssMb'), mb: Type.Number({ minimum: 1 }) },
    { additionalProperties: false, description: 'Peak endpoint resident memory is at most this' },
  ),
  Type.Object(
    {
      type: Type.Literal('complianceState'),
      state: ComplianceState,
      minShare: Share,
      maxShare: Type.Optional(Share),
      at: Type.Optional(Name),
    },
    {
      additionalProperties: false,
      description:
        "At the end (or at the recordExposure step labelled `at`), the share of hosts in this compliance state (the endpoint's overview) is within bounds",
    },
  ),
  Type.Object(
    {
      type: Type.Literal('exposureLevel'),
      level: Type.Union([ExposureLevel, Type.Literal('unknown')]),
      minShare: Share,
      maxShare: Type.Optional(Share),
      at: Type.Optional(Name),
    },
    {
      additionalProperties: false,
      description:
        'At the end (or at the recordExposure step labelled `at`), the share of hosts at this vulnerability exposure level (GET /v1/admin/vulnerabilities/devices; `unknown`: no exposure computed, e.g. no software uploaded) is within bounds',
    },
  ),
  Type.Object(
    {
      type: Type.Literal('securityTask'),
      task: Name,
      status: TaskStatus,
      completion: Type.Optional(Type.Union([Type.Literal('automatic'), Type.Literal('manual')])),
      minFixedShare: Type.Optional(Share),
    },
    {
      additionalProperties: false,
      description:
        'At the end, the security task of createSecurityTask `task` has this status (and completion), and at least minFixedShare of its devices are fixed (fixedDeviceCount / managedDeviceCount)',
    },
  ),
  Type.Object(
    {
      type: Type.Literal('riskLevel'),
      level: Type.Union([Type.Literal('none'), Type.Literal('informational'), Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')]),
      minShare: Share,
      maxShare: Type.Optional(Share),
    },
    { additionalProperties: false, description: "At the end, the share of hosts at this machine risk level (the endpoint's view) is within bounds" },
  ),
  Type.Object(
    {
      type: Type.Literal('hostsWithSettingState'),
      setting: Type.String({ maxLength: 200 }),
      state: SettingState,
      minShare: Type.Optional(Share),
      maxShare: Type.Optional(Share),
      count: Type.Optional(HostCount),
    },
    {
      additionalProperties: false,
      description:
        "At the end, per the agents' last sync: at least minShare (at most maxShare) of the hosts, or exactly `count`, have the setting in this state",
    },
  ),
  Type.Object(
    {
      type: Type.Literal('actionsDone'),
      action: Type.Optional(ActionType),
      percentile: Percentile,
      maxMs: Type.Number({ minimum: 0 }),
      status: Type.Optional(ActionStatus),
    },
    {
      additionalProperties: false,
      description:
        "That percentile of create → terminal times (the endpoint's timestamps) of the run's actions (of `action`; ending in `status` when given, else all, an unfinished one counting as never) is at most maxMs",
    },
  ),
  Type.Object(
    {
      type: Type.Literal('actionStates'),
      action: Type.Optional(ActionType),
      counts: Type.Partial(Type.Record(ActionStatus, Type.Integer({ minimum: 0 })), {
        additionalProperties: false,
        minProperties: 1,
        description: 'status → exact number of actions in it at the end (statuses not named are not checked)',
      }),
    },
    { additionalProperties: false, description: "At the end, the run's actions (of `action`) per status as the endpoint shows them: exactly these counts" },
  ),
  Type.Object(
    {
      type: Type.Literal('policyStatus'),
      policy: Name,
      state: SettingState,
      minShare: Type.Optional(Share),
      maxShare: Type.Optional(Share),
      count: Type.Optional(HostCount),
    },
    {
      additionalProperties: false,
      description: "At the end, per the endpoint's policy status report: at least minShare of the policy's devices, or exactly `count`, are in this state",
    },
  ),
];
export const ScenarioExpectation = TaggedUnion('type', ScenarioExpectations);
export type ScenarioExpectation = Static<typeof ScenarioExpectation>;

/** One installed package of a simulated host (issue 18): a SoftwareItem as the agent would list it. */
const ScenarioPackage = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: SOFTWARE_LIMITS.name }),
    version: Type.String({ maxLength: SOFTWARE_LIMITS.version }),
    source: SoftwareSource,
    scheme: VersionScheme,
    sourceName: Type.Optional(Type.String({ minLength: 1, maxLength: SOFTWARE_LIMITS.sourceName })),
    sourceVersion: Type.Optional(Type.String({ minLength: 1, maxLength: SOFTWARE_LIMITS.sourceVersion })),
    vendor: Type.Optional(Type.String({ maxLength: SOFTWARE_LIMITS.vendor })),
    architecture: Type.Optional(Type.String({ maxLength: SOFTWARE_LIMITS.architecture })),
  },
  { additionalProperties: false },
);

/**
 * The installed software of every host of a slice (one list shared by them; an updateSoftware action changes only its
 * own host's copy): the OS the inventory states, listed `packages` and/or `generated` ones from a built-in pool of real
 * package names of that ecosystem (simulator/README.md "Software").
 */
export const ScenarioSoftware = Type.Object(
  {
    os: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), version: Type.String({ maxLength: 100 }) }, { additionalProperties: false }),
    packages: Type.Optional(Type.Array(ScenarioPackage, { maxItems: 20_000 })),
    generator: Type.Optional(
      Type.Object(
        {
          count: Type.Integer({ minimum: 1, maximum: 20_000 }),
          /** The pool's ecosystem: dpkg packages (debian), rpm packages (rhel), Windows programs, macOS apps. */
          pool: Type.Union([Type.Literal('debian'), Type.Literal('rhel'), Type.Literal('windows'), Type.Literal('macos')]),
          /** Seeds the generated versions (default: the scenario seed). */
          seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ScenarioSoftware = Static<typeof ScenarioSoftware>;

/** A slice of the fleet: how many hosts of one platform, and the tags they enroll with. */
export const ScenarioHosts = Type.Object(
  {
    platform: Platform,
    count: Type.Integer({ minimum: 0, maximum: 100_000 }),
    osType: Type.Optional(OsType),
    tags: Type.Optional(Type.Array(DeviceTag, { maxItems: 20, uniqueItems: true })),
    /** Installed software of these hosts (issue 18); none: they list no software and refuse updateSoftware. */
    software: Type.Optional(ScenarioSoftware),
  },
  { additionalProperties: false },
);

export const SimulatorScenario = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Name,
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    /** Seeds every random choice (which hosts a fault hits, jitter), so a run can be repeated. Default 1. */
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
    fleet: Type.Object(
      {
        hosts: Type.Array(ScenarioHosts, { minItems: 1, maxItems: 20 }),
        /** Enrollments in flight at once across the fleet (default 64). Every host enrolls before any agent starts. */
        enrollConcurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
        /** Agents started per second after enrollment (push channel + startup sync); default 0 = all at once. */
        startPerSecond: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
        /** Periodic check-in (default 5400 = 90 min, as MDE) and its jitter in percent (default 10). */
        checkinIntervalSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
        checkinJitterPercent: Type.Optional(Type.Integer({ minimum: 0, maximum: 50 })),
        /** Periodic local drift check; default none (a `drift` fault wakes the check as the OS change watch would). */
        driftCheckSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
        /**
         * `afterSync` (default) closes a host's HTTPS connection when its sync ends, as happens to a real agent whose
         * next sync comes after the endpoint's keep-alive timeout; `keepAlive` keeps the agent's connection pool.
         */
        connections: Type.Optional(Type.Union([Type.Literal('afterSync'), Type.Literal('keepAlive')])),
        /**
         * Also run the agent's risk signals (RiskMonitor + SignalDelivery over the simulated host: alerts, health,
         * inventory), as the daemon does; needed for injectThreat and risk/compliance expectations. Default false.
         */
        signals: Type.Optional(Type.Boolean()),
        /** Fleet processes (default: enough for ≤ 4,000 hosts each, at least one per core). */
        processes: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
        /** How long a simulated antivirus scan takes, in seconds (default quick 2, full 10). */
        scanSeconds: Type.Optional(Type.Object({ quick: Type.Optional(Seconds(3600)), full: Type.Optional(Seconds(3600)) }, { additionalProperties: false })),
        /**
         * The software inventory of hosts with `software`: first collection within `firstDelaySeconds` after the agent
         * starts (default 5, jittered; the daemon waits 2–5 min), then every `intervalSeconds` (default 43200 = 12 h).
         */
        software: Type.Optional(
          Type.Object(
            { firstDelaySeconds: Type.Optional(Seconds(3600)), intervalSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 604_800 })) },
            { additionalProperties: false },
          ),
        ),
        /** Seconds to wait for every host to enroll and connect its push channel (default 300). */
        readyTimeoutSeconds: Type.Optional(Seconds(3600)),
      },
      { additionalProperties: false },
    ),
    /**
     * The endpoint the simulator starts (ignored with --url; the simulate command's --endpoint-database and --replicas
     * override it): SQLite in its data dir (default), or PostgreSQL (a scratch cluster); `replicas` > 1 (PostgreSQL
     * only) starts that many `serve` processes behind HAProxy.
     */
    endpoint: Type.Optional(
      Type.Object(
        {
          database: Type.Optional(Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')])),
          replicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 16 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** Dynamic groups created before enrollment. A group `all` (every platform) always exists. */
    groups: Type.Optional(Type.Array(Type.Object({ name: Name, rule: Rule }, { additionalProperties: false }), { maxItems: 50 })),
    /** Admin steps run before the fleet enrolls (e.g. policies the hosts get at their first sync); not measured. */
    setup: Type.Optional(Type.Array(TaggedUnion('action', ScenarioAdminActions), { maxItems: 100 })),
    timeline: Type.Array(ScenarioStep, { maxItems: 1000 }),
    /** After the timeline: how long to wait for convergence and empty outboxes (default 60 s). */
    settleSeconds: Type.Optional(Seconds(3600)),
    /** After settling: measure idle CPU and memory of the fleet and the endpoint over this many seconds (default 0: skip). */
    idleSeconds: Type.Optional(Seconds(3600)),
    expectations: Type.Array(ScenarioExpectation, { maxItems: 100 }),
  },
  { additionalProperties: false, $id: 'urn:attache:simulator-scenario', title: 'Fleet simulator scenario' },
);
export type SimulatorScenario = Static<typeof SimulatorScenario>;
