import { parseArgs } from 'node:util';
import { z } from 'zod';
import { clusterUp } from './cluster-up.ts';
import { callControl, formatRegion, runningCluster } from './control-client.ts';
import type { RegionStatus } from './control-server.ts';
import { faultFromWords, latencySchema } from './fault.ts';

const usage = `Usage:
  npm run cluster [-- --verbose]               start gateway (PORT, default 8080) + eu-west, us-east, ap-south
  npm run cluster -- fault <region> <fault>     none | reset [accept|request] | blackhole | 503
                                                | slow-body [bytes] [everyMs] | stall [probability] [ms]
  npm run cluster -- latency <region> <rttMs> [jitterMs]
  npm run cluster -- kill <region>              SIGKILL the region's node
  npm run cluster -- restart <region>           start a new node for the region
  npm run cluster -- status
`;

/** `npm run cluster`: with no command, runs the local cluster; otherwise steers the running one. */
async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      verbose: { type: 'boolean', short: 'v', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, region, ...rest] = positionals;
  if (values.help) return void process.stdout.write(usage);
  if (command === undefined || command === 'up') {
    return clusterUp({ port: process.env.PORT ?? '8080', verbose: values.verbose, env: process.env });
  }
  const state = await runningCluster();
  if (command === 'status') {
    const status = (await callControl(state, '/status')) as { gateway: string; regions: RegionStatus[] };
    process.stdout.write(`gateway ${status.gateway}\n${status.regions.map(formatRegion).join('\n')}\n`);
    return;
  }
  if (!region) throw new UsageError(`${command} needs a region`);
  const path = `/regions/${encodeURIComponent(region)}`;
  let answer: unknown;
  if (command === 'fault') {
    if (rest.length === 0) throw new UsageError('fault needs a fault kind');
    answer = await callControl(state, `${path}/fault`, faultFromWords(rest));
  } else if (command === 'latency') {
    const [rttMs, jitterMs] = rest.map(Number);
    answer = await callControl(state, `${path}/latency`, latencySchema.parse({ rttMs, jitterMs }));
  } else if (command === 'kill' || command === 'restart') {
    answer = await callControl(state, `${path}/node`, { action: command }, 120_000);
  } else {
    throw new UsageError(`unknown command ${command}`);
  }
  process.stdout.write(`${formatRegion(answer as RegionStatus)}\n`);
}

class UsageError extends Error {}

main().catch((err: unknown) => {
  if (err instanceof z.ZodError) process.stderr.write(`${z.prettifyError(err)}\n\n${usage}`);
  else if (err instanceof UsageError) process.stderr.write(`${err.message}\n\n${usage}`);
  else process.stderr.write(`npm run cluster: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof UsageError || err instanceof z.ZodError ? 2 : 1);
});
