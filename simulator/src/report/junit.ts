// results.json as JUnit XML for CI: one test case per expectation, per fault step (failed when it never fired and
// the step does not allow that, skipped when it may not fire) and per other run problem (fleet not ready, not converged).
import type { RunResults } from '../run/results.js';

/** Text safe inside XML 1.0 attributes and elements: markup escaped, characters XML cannot carry dropped. */
export function xmlText(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters XML 1.0 forbids
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

interface Case {
  readonly classname: string;
  readonly name: string;
  readonly failure?: string;
  readonly skipped?: string;
  readonly output?: string;
}

export function renderJunit(r: RunResults): string {
  const faultProblems = new Set(r.faults.flatMap((f) => (f.problem ? [f.problem] : [])));
  const cases: Case[] = [
    ...r.expectations.map((e) => ({ classname: 'expectations', name: e.expectation, output: e.detail, ...(e.passed ? {} : { failure: e.detail }) })),
    ...r.faults.map((f) => ({
      classname: 'faults',
      name: `timeline[${f.step}] ${f.action}${f.note ? ` (${f.note})` : ''}`,
      output: `t+${f.at.toFixed(1)} s: aimed at ${f.targeted} hosts, touched ${f.hosts.length}${f.deviceIds.length ? `: ${f.deviceIds.join(', ')}` : ''}`,
      ...(f.problem ? { failure: f.problem } : !f.fired ? { skipped: 'never fired (the step allows it)' } : {}),
    })),
    ...r.problems.filter((p) => !faultProblems.has(p)).map((p) => ({ classname: 'run', name: p, failure: p })),
  ];
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const suite = `simulator.${r.scenario.name}`;
  const body = cases.map((c) => {
    const open = `    <testcase classname="${xmlText(`${suite}.${c.classname}`)}" name="${xmlText(c.name)}">`;
    const inner = [
      c.failure !== undefined ? `      <failure message="${xmlText(c.failure)}">${xmlText(c.failure)}</failure>` : '',
      c.skipped !== undefined ? `      <skipped message="${xmlText(c.skipped)}"/>` : '',
      c.output ? `      <system-out>${xmlText(c.output)}</system-out>` : '',
    ].filter(Boolean);
    return [open, ...inner, '    </testcase>'].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="attache-simulator" tests="${cases.length}" failures="${failures}" skipped="${skipped}" time="${r.durationSeconds.toFixed(3)}">`,
    `  <testsuite name="${xmlText(suite)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${r.durationSeconds.toFixed(3)}" timestamp="${xmlText(r.startedAt)}">`,
    ...body,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
