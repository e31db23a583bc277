// The macOS application firewall at its boundary: parsers against the documented outputs (testdata/), the exact
// socketfilterfw commands for a full policy, restore to defaults, an MDM-managed Mac, and hostile values.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validatePolicySettings } from '../../../../common/validation.js';
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import type { SettingChange } from '../../core/plan.js';
import { ScriptedCommandRunner } from '../../system/command-runner.js';
import { SOCKETFILTERFW, SocketFilterFirewallProvider, unmanagedValue } from './socketfilterfw.js';
import {
  parseAllowSigned,
  parseBlockAll,
  parseGlobalState,
  parseLoggingMode,
  parseLoggingOption,
  parseStealthMode,
  SocketFilterOutputError,
} from './socketfilterfw-parse.js';
import { MAC_DEFAULTS, SocketFilterEmulator } from './testing/socketfilterfw-emulator.js';

const golden = (name: string) => readFileSync(new URL(`./testdata/socketfilterfw-${name}.txt`, import.meta.url), 'utf8');
const change = (settingId: string, to: SettingValue | undefined): SettingChange => ({ settingId, kind: 'firewall', from: undefined, to });

describe('socketfilterfw output parsers (golden files)', () => {
  it.each([
    ['getglobalstate-enabled', { enabled: true, state: 1 }],
    ['getglobalstate-disabled', { enabled: false, state: 0 }],
    ['getglobalstate-essential', { enabled: true, state: 2 }],
    ['getglobalstate-nostate', { enabled: true }],
  ])('--getglobalstate %s', (file, expected) => {
    expect(parseGlobalState(golden(file))).toEqual(expected);
  });

  it.each([
    ['getblockall-enabled', true],
    ['getblockall-disabled', false],
    ['getblockall-legacy-enabled', true],
    ['getblockall-legacy-disabled', false],
    ['getblockall-nonessential', true],
  ])('--getblockall %s', (file, expected) => {
    expect(parseBlockAll(golden(file))).toBe(expected);
  });

  it.each([
    ['getstealthmode-on', true],
    ['getstealthmode-off', false],
    ['getstealthmode-legacy-enabled', true],
    ['getstealthmode-legacy-disabled', false],
  ])('--getstealthmode %s', (file, expected) => {
    expect(parseStealthMode(golden(file))).toBe(expected);
  });

  it('reads logging mode and option', () => {
    expect(parseLoggingMode(golden('getloggingmode-on'))).toBe(true);
    expect(parseLoggingMode(golden('getloggingmode-off'))).toBe(false);
    expect(parseLoggingOption(golden('getloggingopt-throttled'))).toBe('throttled');
    expect(parseLoggingOption(golden('getloggingopt-detail'))).toBe('detail');
  });

  it('reads both signed-software switches from --getallowsigned, in either wording', () => {
    expect(parseAllowSigned(golden('getallowsigned-current'))).toEqual({ builtIn: true, downloaded: false });
    expect(parseAllowSigned(golden('getallowsigned-legacy'))).toEqual({ builtIn: true, downloaded: true });
  });

  it.each([
    ['empty output', () => parseGlobalState('')],
    ['words and number disagree', () => parseGlobalState('Firewall is enabled. (State = 0)')],
    ['unknown state number', () => parseGlobalState('Firewall is enabled. (State = 7)')],
    ['another tool', () => parseGlobalState('Other tool (State = 1)')],
    ['two lines', () => parseGlobalState('Firewall is enabled. (State = 1)\nFirewall is disabled. (State = 0)')],
    ['a usage message', () => parseBlockAll("socketfilterfw: unrecognized option `--getblockall'")],
    ['block all, unknown word', () => parseBlockAll('Firewall has block all state set to maybe.')],
    ['stealth, unknown word', () => parseStealthMode('Firewall stealth mode is maybe')],
    ['stealth answered by the global state', () => parseStealthMode(golden('getglobalstate-enabled'))],
    ['logging option outside the list', () => parseLoggingOption('Log Option is verbose')],
    ['the managed refusal', () => parseStealthMode(golden('managed'))],
    ['allow signed, one line missing', () => parseAllowSigned('Automatically allow built-in signed software ENABLED.')],
    ['allow signed, a line twice', () => parseAllowSigned(`${golden('getallowsigned-current')}Automatically allow downloaded signed software ENABLED.`)],
    [
      'allow signed, unknown word',
      () => parseAllowSigned('Automatically allow built-in signed software MAYBE.\nAutomatically allow downloaded signed software ENABLED.'),
    ],
    ['allow signed, the managed refusal', () => parseAllowSigned(golden('managed'))],
  ])('refuses to guess: %s', (_name, parse) => {
    expect(parse).toThrow(SocketFilterOutputError);
  });
});

describe('SocketFilterFirewallProvider at the boundary', () => {
  it('runs exactly these commands for a full policy, firewall first, and reports in input order', async () => {
    const mac = new SocketFilterEmulator();
    const provider = new SocketFilterFirewallProvider({ runner: mac.runner });
    const changes = [
      change('macosFirewall.EnableStealthMode', true),
      change('macosFirewall.LoggingOption', 'detail'),
      change('macosFirewall.BlockAllIncoming', true),
      change('macosFirewall.EnableLogging', true),
      change('macosFirewall.EnableFirewall', true),
    ];
    const results = await provider.apply(changes);
    expect(results).toEqual(changes.map((c) => ({ settingId: c.settingId, ok: true })));
    expect(mac.runner.calls.every((c) => c.file === SOCKETFILTERFW && c.stdin === undefined)).toBe(true);
    expect(mac.argv).toEqual([
      ['--setglobalstate', 'on'],
      ['--getglobalstate'],
      ['--setstealthmode', 'on'],
      ['--getstealthmode'],
      ['--setloggingopt', 'detail'],
      ['--getloggingopt'],
      ['--setblockall', 'on'],
      ['--getblockall'],
      ['--setloggingmode', 'on'],
      ['--getloggingmode'],
    ]);
    expect(mac.state).toEqual({
      globalState: 1,
      blockAll: true,
      stealth: true,
      logging: true,
      loggingOption: 'detail',
      allowSigned: true,
      allowSignedApp: true,
    });
    const seen = await provider.observe(changes.map((c) => c.settingId));
    expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(changes.map((c) => [c.settingId, c.to])));
  });

  it('restores the documented macOS defaults when a setting is removed, turning the firewall off last', async () => {
    const mac = new SocketFilterEmulator({
      state: { globalState: 1, blockAll: true, stealth: true, logging: true, loggingOption: 'brief', allowSigned: false, allowSignedApp: false },
    });
    const provider = new SocketFilterFirewallProvider({ runner: mac.runner });
    const ids = [
      'macosFirewall.EnableFirewall',
      'macosFirewall.BlockAllIncoming',
      'macosFirewall.EnableStealthMode',
      'macosFirewall.EnableLogging',
      'macosFirewall.LoggingOption',
      'macosFirewall.AllowSigned',
      'macosFirewall.AllowSignedApp',
    ];
    expect((await provider.apply(ids.map((id) => change(id, undefined)))).every((r) => r.ok)).toBe(true);
    // A fresh Mac's state (MAC_DEFAULTS); the catalog defaults that lead there are pinned below.
    expect(mac.state).toEqual(MAC_DEFAULTS);
    expect(mac.argv.filter((a) => a[0]?.startsWith('--set')).map((a) => a[0])).toEqual([
      '--setblockall',
      '--setstealthmode',
      '--setloggingmode',
      '--setloggingopt',
      '--setallowsigned',
      '--setallowsignedapp',
      '--setglobalstate',
    ]);
    expect(ids.map(unmanagedValue)).toEqual([false, false, false, false, 'throttled', true, true]);
  });

  it('sets each signed-software switch with its own flag and reads it back from its own line', async () => {
    const mac = new SocketFilterEmulator();
    const provider = new SocketFilterFirewallProvider({ runner: mac.runner });
    const changes = [change('macosFirewall.AllowSignedApp', false), change('macosFirewall.AllowSigned', false)];
    expect(await provider.apply(changes)).toEqual(changes.map((c) => ({ settingId: c.settingId, ok: true })));
    expect(mac.argv).toEqual([['--setallowsignedapp', 'off'], ['--getallowsigned'], ['--setallowsigned', 'off'], ['--getallowsigned']]);
    expect([mac.state.allowSigned, mac.state.allowSignedApp]).toEqual([false, false]);
    // Only the downloaded-software switch back on: the built-in one stays off.
    await provider.apply([change('macosFirewall.AllowSignedApp', true)]);
    expect(Object.fromEntries(await provider.observe(['macosFirewall.AllowSigned', 'macosFirewall.AllowSignedApp']))).toEqual({
      'macosFirewall.AllowSigned': false,
      'macosFirewall.AllowSignedApp': true,
    });
  });

  it('reads the older wording of socketfilterfw the same way', async () => {
    const mac = new SocketFilterEmulator({ wording: 'legacy', state: { blockAll: true, stealth: true } });
    const seen = await new SocketFilterFirewallProvider({ runner: mac.runner }).observe(['macosFirewall.BlockAllIncoming', 'macosFirewall.EnableStealthMode']);
    expect(Object.fromEntries(seen)).toEqual({ 'macosFirewall.BlockAllIncoming': true, 'macosFirewall.EnableStealthMode': true });
  });

  it('reports an MDM-managed firewall as a failure, although the tool exits 0', async () => {
    const mac = new SocketFilterEmulator();
    mac.managed = true;
    const [result] = await new SocketFilterFirewallProvider({ runner: mac.runner }).apply([change('macosFirewall.EnableFirewall', true)]);
    expect(result).toMatchObject({ ok: false, code: 'SETTING_APPLY_FAILED', message: expect.stringMatching(/managed by a configuration profile/) });
    expect(mac.state.globalState).toBe(0);
  });

  it('reports a change the tool accepted but did not make', async () => {
    // A socketfilterfw that answers every set with success and every get with "off".
    const runner = new ScriptedCommandRunner((spec) => ({ stdout: spec.args[0] === '--getstealthmode' ? 'Firewall stealth mode is off\n' : '' }));
    const [result] = await new SocketFilterFirewallProvider({ runner }).apply([change('macosFirewall.EnableStealthMode', true)]);
    expect(result).toMatchObject({ ok: false, code: 'SETTING_APPLY_FAILED', message: expect.stringMatching(/did not take effect/) });
  });

  it('fails clearly where socketfilterfw cannot start, and says which settings it cannot enforce', async () => {
    const runner = new ScriptedCommandRunner(() => ({ code: null, spawnError: 'ENOENT: spawn' }));
    const provider = new SocketFilterFirewallProvider({ runner });
    await expect(provider.observe(['macosFirewall.EnableFirewall'])).rejects.toThrow(/cannot start/);
    expect((await provider.apply([change('macosFirewall.EnableFirewall', true)]))[0]).toMatchObject({ ok: false, code: 'SETTING_APPLY_FAILED' });
    expect(provider.unsupportedReason('firewall.domainProfile.EnableFirewall')).toMatch(/not a macOS application firewall setting/);
    expect(provider.unsupportedReason('macosFirewall.LoggingOption')).toBeUndefined();
  });

  it.each(['detail; rm -rf /', '$(id)', '`id`', 'brief\nthrottled', 'a|b', 'x&y', '%PATH%', '../detail', 'detail\u0000'])(
    'never passes a hostile logging option %j: the schema refuses it and the provider runs nothing',
    async (hostile) => {
      expect(() => validatePolicySettings({ kind: 'firewall', settings: { 'macosFirewall.LoggingOption': hostile } }, 'policy')).toThrow(/must be one of/);
      const mac = new SocketFilterEmulator();
      const [result] = await new SocketFilterFirewallProvider({ runner: mac.runner }).apply([change('macosFirewall.LoggingOption', hostile)]);
      expect(result).toMatchObject({ ok: false, code: 'SETTING_APPLY_FAILED' });
      expect(mac.runner.calls).toEqual([]);
    },
  );

  it('takes only booleans for the on/off settings', async () => {
    const mac = new SocketFilterEmulator();
    const [result] = await new SocketFilterFirewallProvider({ runner: mac.runner }).apply([change('macosFirewall.EnableFirewall', 'on')]);
    expect(result).toMatchObject({ ok: false });
    expect(mac.runner.calls).toEqual([]);
  });
});
