/** A team's own workflow, run by the same worker as Keel's sessions (the plugin test). */
import { proxyActivities } from '@temporalio/workflow';

const { shout } = proxyActivities<{ shout(text: string): Promise<string> }>({ startToCloseTimeout: '10 seconds' });

export async function greet(name: string): Promise<string> {
  return shout(`hello ${name}`);
}
