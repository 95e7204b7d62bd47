/**
 * The worker's shutdown: on WorkerTerminate the Functions host gives this process a few seconds
 * (its grace period) to run the appTerminate hooks before it ends it. The hook hands over to
 * src/azure/workerStop.ts: no attempt starts, running statements are cancelled and their
 * attempts recorded; an attempt interrupted anyway is settled as interrupted when Durable runs
 * its lane's call again (src/execution/settleClaim.ts).
 */
import { app } from '@azure/functions';
import { stopWorker } from '../src/azure/workerStop';

app.hook.appTerminate(async () => {
  await stopWorker();
});
