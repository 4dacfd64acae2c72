import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { processArgs } from '../../shared/process-flags.ts';
import { type Component, defaultPort, envKeys } from './support/code-contract.ts';
import { readRepoFile, repoPath } from './support/repo.ts';

// infra/docker/*.Dockerfile parsed with dockerfile-ast.

interface Stage {
  name: string;
  image: string;
  instructions: Instruction[];
}

function stages(component: Component): Stage[] {
  const dockerfile = DockerfileParser.parse(readRepoFile('infra/docker', `${component}.Dockerfile`));
  const result: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const from = dockerfile
        .getFROMs()
        .find((f) => f.getRange().start.line === instruction.getRange().start.line)!;
      result.push({
        name: from.getBuildStage() ?? `#${result.length}`,
        image: from.getImage() ?? '',
        instructions: [],
      });
    } else {
      result.at(-1)?.instructions.push(instruction);
    }
  }
  return result;
}

const args = (i: Instruction) => i.getArgumentsContent() ?? '';
const runnable = (s: Stage) =>
  s.instructions.some((i) => i.getKeyword() === 'CMD' || i.getKeyword() === 'ENTRYPOINT');
const envOf = (s: Stage) =>
  Object.fromEntries(
    s.instructions
      .filter((i) => i.getKeyword() === 'ENV')
      .flatMap((i) => args(i).split(/\s+/))
      .map((pair) => pair.split('=') as [string, string]),
  );

for (const component of ['gateway', 'node'] as const) {
  describe(`${component}.Dockerfile`, () => {
    const all = stages(component);
    const runtime = all.filter(runnable);

    it('every runnable stage ends as a non-root user', () => {
      assert.ok(runtime.length >= 1);
      for (const stage of runtime) {
        const users = stage.instructions.filter((i) => i.getKeyword() === 'USER');
        assert.ok(users.length >= 1, `stage ${stage.name} has no USER`);
        const user = args(users.at(-1)!).split(':')[0]!;
        assert.ok(!['root', '0', ''].includes(user), `stage ${stage.name} runs as ${user}`);
        const lastUser = stage.instructions.lastIndexOf(users.at(-1)!);
        const lastCmd = stage.instructions.findLastIndex((i) => i.getKeyword() === 'CMD');
        assert.ok(lastUser < lastCmd, `stage ${stage.name}: USER must come before CMD`);
      }
    });

    it('runs the TypeScript entry point with tsx, and that entry point exists', () => {
      for (const stage of runtime) {
        const cmd = JSON.parse(
          args(stage.instructions.findLast((i) => i.getKeyword() === 'CMD')!),
        ) as string[];
        assert.deepEqual(cmd, ['node', ...processArgs(component)]);
      }
      assert.ok(existsSync(repoPath(component, 'main.ts')), `${component}/main.ts does not exist`);
      // `npm run start:<component>` starts it the same way as the image.
      const scripts = (JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> })
        .scripts;
      assert.equal(scripts[`start:${component}`], `node ${processArgs(component).join(' ')}`);
    });

    it('exposes the schema default port, and every ENV name is a config schema key', () => {
      const keys = envKeys(component);
      for (const stage of runtime) {
        const exposed = stage.instructions
          .filter((i) => i.getKeyword() === 'EXPOSE')
          .map((i) => Number(args(i)));
        assert.deepEqual(exposed, [defaultPort(component)], `stage ${stage.name}`);
        for (const name of Object.keys(envOf(stage)))
          assert.ok(keys.has(name), `ENV ${name} is not a ${component} config key`);
      }
    });

    it('installs dependencies without running install scripts', () => {
      const installs = all
        .flatMap((s) => s.instructions)
        .filter((i) => i.getKeyword() === 'RUN' && /\bnpm (ci|install)\b/.test(args(i)));
      assert.ok(installs.length >= 1);
      for (const install of installs) assert.match(args(install), /--ignore-scripts/);
    });
  });
}

describe('node.Dockerfile GPU image', () => {
  const all = stages('node');
  const cuda = all.at(-1)!;

  it('the default (last) stage is a CUDA 12 + cuDNN 9 runtime image', () => {
    // nvidia/cuda tags from 12.x on name cuDNN 9 as plain "cudnn" (cudnn8 tags are CUDA 11/early 12).
    assert.match(cuda.image, /^nvidia\/cuda:12\.\d+(\.\d+)?-cudnn(9)?-runtime-/);
    assert.ok(runnable(cuda));
  });

  it('installs the onnxruntime-node CUDA provider at build time, after node_modules arrive', () => {
    const runs = cuda.instructions.filter((i) => i.getKeyword() === 'RUN').map(args);
    const step = cuda.instructions.findIndex(
      (i) =>
        i.getKeyword() === 'RUN' &&
        /ONNXRUNTIME_NODE_INSTALL=cuda12\s+node\s+node_modules\/onnxruntime-node\/script\/install\.js/.test(
          args(i),
        ),
    );
    assert.ok(step >= 0, `no CUDA provider install step in: ${runs.join(' | ')}`);
    const copyModules = cuda.instructions.findIndex(
      (i) => i.getKeyword() === 'COPY' && /node_modules/.test(args(i)),
    );
    assert.ok(copyModules >= 0 && copyModules < step, 'node_modules must be copied before the install step');
  });

  it('ships espeak-ng, asks for CUDA and reads voices from /voices', () => {
    assert.ok(
      cuda.instructions.some(
        (i) => i.getKeyword() === 'RUN' && /apt-get install[^&]*\bespeak-ng\b/.test(args(i)),
      ),
    );
    const env = envOf(cuda);
    assert.equal(env.ORT_EP, 'cuda');
    assert.equal(env.VOICES_DIR, '/voices');
  });
});
