import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True when a `terraform` binary runs here (CI images without it skip the CLI checks). */
export function terraformAvailable(): boolean {
  const result = spawnSync('terraform', ['version'], { encoding: 'utf8', env: quietEnv() });
  return result.status === 0;
}

/** A temporary directory removed by `cleanup()`. */
export function tempDir(prefix: string): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), `speechgate-${prefix}-`));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

function quietEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    ...extra,
  };
}

export interface TerraformResult {
  status: number | null;
  output: string;
}

/**
 * A Terraform session whose data dir, CLI config and plugin cache live in a temporary
 * directory, so nothing lands in the repository (no `.terraform/`, no lock file).
 */
export function terraformSession(prefix: string) {
  const dir = tempDir(prefix);
  const cliConfig = join(dir.path, 'terraformrc');
  writeFileSync(cliConfig, '');
  const env = quietEnv({ TF_DATA_DIR: join(dir.path, 'data'), TF_CLI_CONFIG_FILE: cliConfig });
  return {
    dir: dir.path,
    run(chdir: string, args: string[], timeoutMs = 60_000): TerraformResult {
      const result = spawnSync('terraform', [`-chdir=${chdir}`, ...args], {
        encoding: 'utf8',
        env,
        timeout: timeoutMs,
      });
      return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
    },
    cleanup: dir.cleanup,
  };
}
