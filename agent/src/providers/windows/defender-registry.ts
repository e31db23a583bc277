// The Policies-key locations of Windows Defender policy (ADMX WindowsDefender.admx / WindowsDefenderSecurityCenter.admx,
// the "Policy" registry location of "Troubleshoot Microsoft Defender Antivirus settings"): constants only, shared by
// the mapping table, the scripts' allow-lists (a test keeps them equal) and the emulator.
/** Registry roots of the table; the scripts allow exactly the keys `registryKeys()` lists. */
export const DEFENDER_POLICY_KEY = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Defender';
export const SECURITY_CENTER_KEY = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Defender Security Center';
export const ATP_KEY = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Advanced Threat Protection';
export const THREATS_KEY = `${DEFENDER_POLICY_KEY}\\Threats`;
export const THREAT_ACTIONS_SUBKEY = `${THREATS_KEY}\\ThreatSeverityDefaultAction`;
export const THREAT_ACTIONS_FLAG = 'Threats_ThreatSeverityDefaultAction';
export const ASR_KEY = `${DEFENDER_POLICY_KEY}\\Windows Defender Exploit Guard\\ASR`;
export const ASR_RULES_SUBKEY = `${ASR_KEY}\\Rules`;
export const ASR_RULES_FLAG = 'ExploitGuard_ASR_Rules';
/**
 * Where the previous agent wrote per-rule ASR exclusions, a location named by analogy that no ADMX documents: nothing
 * writes it now; the upgrade clean-up deletes what that agent left there (and its flag, with the last value).
 */
export const ASR_PER_RULE_KEY = `${ASR_KEY}\\ASROnlyPerRuleExclusions`;
export const ASR_PER_RULE_FLAG = 'ExploitGuard_ASR_ASROnlyPerRuleExclusions';
