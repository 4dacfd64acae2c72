import * as ort from 'onnxruntime-node';
import type { ProviderOptions } from './execution-provider.ts';
import { sessionOptionsFor } from './execution-provider.ts';

/**
 * Run by `probePlacement` as a child process: opens one session with ONNX Runtime's verbose
 * log, whose "Node placements" lines (written by native code to this process's stderr, out of
 * JavaScript's reach) the parent reads.
 */
const [model, json] = process.argv.slice(2);
if (!model || !json) {
  process.stderr.write('usage: placement-child.ts <model.onnx> <provider options json>\n');
  process.exit(2);
}
const options = JSON.parse(json) as ProviderOptions;
ort.env.logLevel = 'verbose';
try {
  const session = await ort.InferenceSession.create(model, {
    ...sessionOptionsFor(options.provider, options),
    logSeverityLevel: 0,
  });
  await session.release();
} catch (err) {
  process.stderr.write(`placement probe: session failed: ${(err as Error).message}\n`);
  process.exit(1);
}
