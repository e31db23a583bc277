// Benchmark: endpoint capacity at 10,000 simulated hosts (simulator/scenarios/capacity-10k.json): enrollments/s,
// agents connected at once, check-ins/s with the whole fleet checking in, endpoint RSS and CPU, and the fleet's own
// footprint per host (memory, idle CPU over 60 s), endpoint and fleet on this machine.
// Run: `npm run build && npm run bench:fleet-capacity [-- --repeats 1]`. Writes bench/results/fleet-capacity.json.
import { parseArgs } from 'node:util';
import { headline, keepChart, machine, med, simulate, writeResult } from './fleet-runs.js';

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '1' } } });
const runs = [];
for (let i = 0; i < Number(values.repeats); i++) {
  const { results, dir } = await simulate('capacity-10k.json', `capacity-10k-${i + 1}`);
  runs.push(headline(results));
  if (i === 0) {
    await keepChart(dir, 'fleet', 'bench-capacity-10k-fleet');
    await keepChart(dir, 'throughput', 'bench-capacity-10k-throughput');
    await keepChart(dir, 'cpu', 'bench-capacity-10k-cpu');
    await keepChart(dir, 'memory', 'bench-capacity-10k-memory');
  }
}
const medians = {
  enrollmentsPerSecond: med(
    runs.map((r) => r.enrollmentsPerSecond),
    1,
  ),
  checkinsPerSecond: med(
    runs.map((r) => r.checkinsPerSecond),
    1,
  ),
  connectedAtEndpoint: med(runs.map((r) => r.connectedAtEndpoint)),
  endpointPeakRssMb: med(runs.map((r) => r.endpoint.peakRssMb)),
  endpointIdleCpuPercent: med(
    runs.map((r) => r.endpoint.idleCpuPercent),
    2,
  ),
  fleetBytesPerHost: med(runs.map((r) => r.fleet.bytesPerHost)),
  fleetIdleCpuPercentPerHost: med(
    runs.map((r) => r.fleet.idleCpuPercentPerHost),
    5,
  ),
};
const file = await writeResult('fleet-capacity', {
  benchmark: 'fleet-capacity',
  command: 'npm run simulate -- --scenario simulator/scenarios/capacity-10k.json --endpoint dist',
  machine: machine(),
  startedAt: new Date().toISOString(),
  repeats: runs.length,
  medians,
  runs,
});
process.stdout.write(`fleet-capacity: ${JSON.stringify(medians)}\nwrote ${file}\n`);
