// What a run sets up before its fleet exists: the hosts and their onboarding packages, the groups (and which of them
// each host will be in, with the endpoint's own pure rule evaluation), so changes can be targeted without asking.

import { DEFAULT_SCAN_MS } from '../../../agent/src/actions/simulated-responder.js';
import { SimulatedHost } from '../../../agent/src/hosts/simulated-host.js';
import { AGENT_VERSION } from '../../../agent/src/version.js';
import { normaliseTags, ruleMatches } from '../../../management/src/service/targeting.js';
import type { DynamicGroupRule, OnboardingPackage, Platform } from '../../../policy-schemas/src/index.js';
import type { AdminApi } from '../endpoint/admin-api.js';
import type { HostBehaviour, HostSpec } from '../fleet/protocol.js';
import { ALL_GROUP, type Scenario } from '../scenario/load.js';

/** Hosts of the scenario, numbered, each with the onboarding package of its tag set. */
export function fleetHosts(scenario: Scenario): HostSpec[] {
  const hosts: HostSpec[] = [];
  for (const [sliceIndex, slice] of scenario.fleet.hosts.entries()) {
    for (let i = 0; i < slice.count; i++) {
      const index = hosts.length;
      hosts.push({
        index,
        platform: slice.platform,
        ...(slice.osType ? { osType: slice.osType } : {}),
        hostname: `sim-${slice.platform}-${String(index).padStart(5, '0')}`,
        packageKey: packageKey(slice.tags),
        ...(slice.software ? { softwareProfile: sliceIndex } : {}),
      });
    }
  }
  return hosts;
}

function packageKey(tags: readonly string[] | undefined): string {
  return JSON.stringify([...(tags ?? [])].sort());
}

/** How the scenario's agents behave (check-in schedule, connections, signals, seed), as the fleet processes take it. */
export function hostBehaviour(scenario: Scenario): HostBehaviour {
  return {
    checkinSeconds: scenario.fleet.checkinIntervalSeconds,
    jitterPercent: scenario.fleet.checkinJitterPercent,
    ...(scenario.fleet.driftCheckSeconds ? { driftCheckSeconds: scenario.fleet.driftCheckSeconds } : {}),
    connections: scenario.fleet.connections,
    signals: scenario.fleet.signals,
    seed: scenario.seed,
    ...(scenario.fleet.scanSeconds ? { scanMs: scanMs(scenario.fleet.scanSeconds) } : {}),
    ...(scenario.fleet.hosts.some((h) => h.software)
      ? {
          software: {
            profiles: scenario.fleet.hosts.map((h) => h.software ?? null),
            firstDelayMs: (scenario.fleet.software?.firstDelaySeconds ?? 5) * 1000,
            intervalMs: (scenario.fleet.software?.intervalSeconds ?? 43_200) * 1000,
          },
        }
      : {}),
  };
}

/** A scenario's scan durations in ms, each missing one the simulated responder's default. */
function scanMs(seconds: { readonly quick?: number; readonly full?: number }): { quick: number; full: number } {
  return {
    quick: seconds.quick === undefined ? DEFAULT_SCAN_MS.quick : seconds.quick * 1000,
    full: seconds.full === undefined ? DEFAULT_SCAN_MS.full : seconds.full * 1000,
  };
}

/** Which groups each host will be in: the endpoint's own rule evaluation on what the host enrolls with. */
export function groupMembership(
  scenario: Scenario,
  hosts: readonly HostSpec[],
  groups: readonly { groupId: string; rule?: DynamicGroupRule }[],
): Map<number, string[]> {
  const osVersions = new Map<Platform, string>();
  const tagsOf = new Map(scenario.fleet.hosts.map((slice) => [packageKey(slice.tags), normaliseTags(slice.tags ?? [])]));
  const out = new Map<number, string[]>();
  for (const host of hosts) {
    let osVersion = osVersions.get(host.platform);
    if (osVersion === undefined) {
      osVersion = new SimulatedHost({ platform: host.platform, hostname: 'probe' }).osVersion;
      osVersions.set(host.platform, osVersion);
    }
    const subject = { platform: host.platform, osVersion, osType: host.osType, agentVersion: AGENT_VERSION, tags: tagsOf.get(host.packageKey) ?? [] };
    out.set(
      host.index,
      groups.filter((g) => g.rule && ruleMatches(g.rule, subject)).map((g) => g.groupId),
    );
  }
  return out;
}

/** The group `all` and the scenario's dynamic groups (reused by name when they exist, e.g. on an external endpoint). */
export async function createGroups(admin: AdminApi, scenario: Scenario): Promise<Map<string, { groupId: string; rule?: DynamicGroupRule }>> {
  const existing = new Map((await admin.groups()).map((g) => [g.name, g]));
  const wanted = [
    {
      name: ALL_GROUP,
      rule: {
        match: 'any' as const,
        conditions: (['windows', 'macos', 'linux'] as const).map((equals) => ({ attribute: 'platform' as const, equals })),
      },
    },
    ...(scenario.groups ?? []),
  ];
  const out = new Map<string, { groupId: string; rule?: DynamicGroupRule }>();
  for (const g of wanted) {
    const group = existing.get(g.name) ?? (await admin.createGroup(g.name, g.rule));
    out.set(g.name, { groupId: group.groupId, ...(group.rule ? { rule: group.rule } : {}) });
  }
  return out;
}

/** One onboarding package per distinct tag set, for exactly as many devices as use it. */
export async function onboardingPackages(admin: AdminApi, scenario: Scenario): Promise<Record<string, OnboardingPackage>> {
  const uses = new Map<string, { tags: string[]; count: number }>();
  for (const slice of scenario.fleet.hosts) {
    const key = packageKey(slice.tags);
    const entry = uses.get(key) ?? { tags: [...(slice.tags ?? [])], count: 0 };
    entry.count += slice.count;
    uses.set(key, entry);
  }
  const out: Record<string, OnboardingPackage> = {};
  for (const [key, { tags, count }] of uses) {
    if (count === 0) continue;
    out[key] = await admin.createOnboarding({ maxUses: count, ...(tags.length ? { tags } : {}), description: `simulator ${scenario.name}` });
  }
  return out;
}
