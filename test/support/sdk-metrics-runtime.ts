/**
 * Installs this test process's Temporal runtime with the SDK's Prometheus exporter on a free
 * loopback port. Import it before `./environment` (which otherwise installs a quiet runtime
 * without metrics): the runtime is installed once per process, before the first connection.
 */
import { execFileSync } from 'node:child_process';
import { installSdkMetrics } from '../../metrics';

/** A port that was free a moment ago (asked of the kernel in a child process, so this module stays synchronous). */
function freePort(): number {
  const script = "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

const flag = globalThis as { keelRuntimeInstalled?: boolean };
if (flag.keelRuntimeInstalled) throw new Error('sdk-metrics-runtime must be imported before test/support/environment');
flag.keelRuntimeInstalled = true;
/** The SDK's own metrics endpoint of this process. */
export const sdkMetricsUrl = installSdkMetrics(`127.0.0.1:${freePort()}`, { logLevel: 'ERROR' });
