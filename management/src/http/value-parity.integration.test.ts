// Issue 12 finding 7 against a real endpoint: values every real provider refuses (NUL and line breaks in free text,
// '|' and '>' inside device-delimited list items, Firewall CSP fields and filter combinations Windows cannot apply,
// reversed port ranges) are refused at submission with POLICY_INVALID naming the setting, with the same details the
// agent's verify step (validatePolicySettings) and what-if give; nothing is stored, and the clean value is accepted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttacheError } from '../../../common/errors.js';
import { validatePolicySettings } from '../../../common/validation.js';
import type { PolicyKind, PolicySummary, SettingValue } from '../../../policy-schemas/src/index.js';
import { errorCode } from '../testing/https-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';

let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint();
});
afterAll(async () => {
  await t.close();
});

const ASR_GUID = '56a863a9-875e-4185-98a7-b882c64b5ce5';
const RULE = { name: 'web', direction: 'IN', action: 1 };
const LINUX = { name: 'web', direction: 'in', action: 'accept', protocol: 'tcp' };

/** [kind, setting id, hostile value, the clean value, the JSON pointer and the words the refusal must carry]. */
const CASES: readonly (readonly [PolicyKind, string, SettingValue, SettingValue, string, RegExp])[] = [
  ['antivirus', 'defender.SignatureUpdateFileSharesSources', ['\\\\srv\\defs|\\\\evil\\defs'], ['\\\\srv\\defs'], '/0', /"\|" \(it separates items/],
  ['antivirusExclusions', 'defender.ExcludedPaths', ['C:\\build\u0000.exe'], ['C:\\build'], '/0', /must not contain control characters/],
  ['asr', `asrExclusions.${ASR_GUID}`, ['C:\\a>C:\\b'], ['C:\\a'], '/0', /">" \(it separates items/],
  ['securityExperience', 'securityCenter.CompanyName', 'Contoso\r\nFAKE', 'Contoso', '', /without control characters or line breaks/],
  ['edr', 'mdatp.edr.groupIds', 'finance\nadmins', 'finance', '', /must not contain control characters/],
  ['firewall', 'firewall.domainProfile.LogFilePath', '', 'D:\\logs\\fw.log', '', /must be non-empty/],
  [
    'firewallRules',
    'firewallRules.rules',
    [{ ...RULE, protocol: 1, icmpTypesAndCodes: '*:*' }],
    [{ ...RULE, protocol: 1, icmpTypesAndCodes: '*' }],
    '/0/icmpTypesAndCodes',
    /\*:\* are invalid/,
  ],
  ['firewallRules', 'firewallRules.rules', [{ ...RULE, localPortRanges: '443' }], [{ ...RULE, protocol: 6, localPortRanges: '443' }], '/0', /protocol/],
  ['firewallRules', 'firewallRules.rules', [{ ...RULE, description: 'a\u001b[2Jb' }], [{ ...RULE, description: 'ab' }], '/0/description', /control/],
  ['linuxFirewall', 'linuxFirewall.rules', [{ ...LINUX, localPorts: '8080-80' }], [{ ...LINUX, localPorts: '80-8080' }], '/0/localPorts', /start ≤ end/],
  [
    'antivirusExclusions',
    'mdatp.antivirusEngine.exclusions',
    [{ $type: 'excludedPath', path: '/tmp/a\u0000b' }],
    [{ $type: 'excludedPath', path: '/tmp/ab' }],
    '/0/path',
    /absolute path/,
  ],
];

/** What the agent's verify step says about the same settings (it runs the same catalog validators). */
function agentDetails(kind: PolicyKind, settings: Record<string, SettingValue>): unknown {
  try {
    validatePolicySettings({ kind, settings });
  } catch (err) {
    if (err instanceof AttacheError) return err.details;
    throw err;
  }
  return 'accepted';
}

describe('one validator for a value, at submission', () => {
  it.each(CASES.map((c) => [`${c[1]}${c[4]}`, c] as const))(
    '%s: refused by the endpoint, what-if and the agent alike; the clean value accepted',
    async (_name, c) => {
      const [kind, settingId, hostile, clean, pointer, words] = c;
      const before = (await t.admin.ok<{ policies: unknown[] }>('GET', '/policies')).policies;
      const settings = { [settingId]: hostile };
      const res = await t.admin.call('POST', '/policies', { name: `parity ${settingId}`, kind, settings });
      expect([res.status, errorCode(res)]).toEqual([400, 'POLICY_INVALID']);
      const error = (res.body as { error: { message: string; details: { path: string; message: string }[] } }).error;
      expect(error.message).toContain(`/settings/${settingId}${pointer}`);
      expect(error.details.map((d) => `${d.path} ${d.message}`).join('\n')).toMatch(words);
      expect(error.details).toEqual(agentDetails(kind, settings));
      expect((await t.admin.ok<{ policies: unknown[] }>('GET', '/policies')).policies).toEqual(before);
      // What-if of creating that policy refuses it too, with the same details: it does not show a success.
      const whatIf = await t.admin.call('POST', '/what-if', { change: 'createPolicy', document: { name: `parity ${settingId}`, kind, settings } });
      expect([whatIf.status, errorCode(whatIf)]).toEqual([400, 'POLICY_INVALID']);
      expect((whatIf.body as { error: { details: unknown } }).error.details).toEqual(error.details);

      const created = await t.admin.ok<PolicySummary>('POST', '/policies', { name: `parity ${settingId}`, kind, settings: { [settingId]: clean } });
      expect(agentDetails(kind, { [settingId]: clean })).toBe('accepted');
      // A new version carrying the hostile value is refused the same way, and the policy stays at version 1.
      const update = await t.admin.call('PUT', `/policies/${created.policyId}`, { name: `parity ${settingId}`, kind, settings });
      expect([update.status, errorCode(update)]).toEqual([400, 'POLICY_INVALID']);
      expect((await t.admin.ok<{ latestVersion: number }>('GET', `/policies/${created.policyId}`)).latestVersion).toBe(1);
    },
  );
});
