// Test support: network namespaces for the Linux firewall tests and benchmark. Checks the host can run them (root,
// iproute2, nftables) and fails with a clear message when not, creates uniquely named namespaces, joins two with a
// veth pair addressed only inside them, and deletes everything it created.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type CommandRunner, describeFailure, NodeCommandRunner } from '../../../system/command-runner.js';
import { NETNS_NAME } from './netns-runner.js';

const IP = 'ip';

/** Throws unless this process can create network namespaces and run nft in them. */
export async function assertNetnsHost(runner: CommandRunner = new NodeCommandRunner()): Promise<void> {
  const needs = 'the Linux firewall tests need root, iproute2 (`ip netns`) and nftables (`nft`)';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) throw new Error(`${needs}: not running as root`);
  for (const [file, args] of [
    [IP, ['netns', 'list']],
    ['nft', ['--version']],
  ] as const) {
    const result = await runner.run({ file, args, timeoutMs: 10_000 });
    if (result.code !== 0) throw new Error(`${needs}: ${describeFailure({ file, args }, result)}`);
  }
}

/** Creates and remembers namespaces; `deleteAll` removes every one still present (veth ends go with them). */
export class NetnsPool {
  private readonly created = new Set<string>();
  constructor(private readonly runner: CommandRunner = new NodeCommandRunner()) {}

  /** A new, empty namespace with loopback up; the name is unique to this process and call. */
  async create(prefix = 'attache-t'): Promise<string> {
    const name = `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`;
    if (!NETNS_NAME.test(name)) throw new Error(`bad namespace prefix ${prefix}`);
    await this.ip(['netns', 'add', name]);
    this.created.add(name);
    await this.ip(['-n', name, 'link', 'set', 'lo', 'up']);
    return name;
  }

  /**
   * Joins two namespaces with a veth pair and gives each end its address (CIDR), created inside them only. Both ends
   * are named `device` (default veth0); a namespace joined to several others needs a name per link.
   */
  async link(a: string, addressA: string, b: string, addressB: string, device = 'veth0'): Promise<void> {
    if (!/^[a-z][a-z0-9]{0,14}$/.test(device)) throw new Error(`bad interface name ${device}`);
    await this.ip(['-n', a, 'link', 'add', device, 'type', 'veth', 'peer', 'name', device, 'netns', b]);
    for (const [ns, address] of [
      [a, addressA],
      [b, addressB],
    ] as const) {
      await this.ip(['-n', ns, 'addr', 'add', address, 'dev', device]);
      await this.ip(['-n', ns, 'link', 'set', device, 'up']);
    }
  }

  async delete(name: string): Promise<void> {
    if (!this.created.has(name)) return;
    await this.ip(['netns', 'delete', name]);
    this.created.delete(name);
  }

  async deleteAll(): Promise<void> {
    const errors: string[] = [];
    for (const name of [...this.created]) await this.delete(name).catch((err: Error) => errors.push(err.message));
    if (errors.length > 0) throw new Error(`could not delete namespaces: ${errors.join('; ')}`);
  }

  private async ip(args: string[]): Promise<void> {
    const result = await this.runner.run({ file: IP, args, timeoutMs: 10_000 });
    if (result.code !== 0) throw new Error(describeFailure({ file: IP, args }, result));
  }
}

/**
 * Starts `node -e <script> <args…>` inside the namespace (argv only; stdin piped) and resolves with the process once it prints
 * "ready"; rejects when it exits first or stays silent for `timeoutMs`. The caller kills it.
 */
export function startNodeInNetns(namespace: string, script: string, args: readonly string[], timeoutMs = 10_000): Promise<ChildProcess> {
  if (!NETNS_NAME.test(namespace)) return Promise.reject(new Error(`bad network namespace name ${JSON.stringify(namespace)}`));
  return new Promise((resolve, reject) => {
    const child = spawn(IP, ['netns', 'exec', namespace, process.execPath, '-e', script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server in namespace ${namespace} did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server in namespace ${namespace} exited (${code}): ${err}`));
    });
  });
}
