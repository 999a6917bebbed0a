// @camunda8/sdk (Node) against a zeebind engine: one scenario per run, the outcome as one JSON line.
// Usage: ZEEBE_GRPC_ADDRESS=grpc://127.0.0.1:<port> node camunda8_sdk.js <scenario> <bpmn dir>
// Prints the outcome on a line starting with "OUTCOME " (the SDK logs to stdout too).
"use strict";
const path = require("path");
const { Camunda8 } = require("@camunda8/sdk");

const [scenario, bpmnDir] = process.argv.slice(2);
const zbc = new Camunda8().getZeebeGrpcApiClient();

function withTimeout(promise, ms, what) {
  return Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)),
  ]);
}

const scenarios = {
  async topology() {
    const t = await zbc.topology();
    return { gatewayVersion: t.gatewayVersion, brokers: t.brokers.length, partitions: t.partitionsCount };
  },

  async deployAndCreate() {
    const deployed = await zbc.deployResource({ processFilename: path.join(bpmnDir, "one-task.bpmn") });
    const created = await zbc.createProcessInstance({ bpmnProcessId: "one-task", variables: { a: 1 } });
    return {
      deployedId: deployed.deployments[0].process.bpmnProcessId,
      processInstanceKey: created.processInstanceKey,
      tenantId: created.tenantId,
    };
  },

  async worker() {
    await zbc.deployResource({ processFilename: path.join(bpmnDir, "one-task.bpmn") });
    const seen = [];
    const worker = zbc.createWorker({
      taskType: "one-task-work",
      taskHandler: (job) => {
        seen.push({ key: job.key, variables: job.variables, headers: job.customHeaders });
        return job.complete({ doubled: job.variables.amount * 2 });
      },
    });
    const result = await withTimeout(
      zbc.createProcessInstanceWithResult({ bpmnProcessId: "one-task", variables: { amount: 4 } }),
      15000,
      "createProcessInstanceWithResult"
    );
    await worker.close();
    return { variables: result.variables, seen };
  },

  async streamJobs() {
    await zbc.deployResource({ processFilename: path.join(bpmnDir, "one-task.bpmn") });
    const seen = [];
    await zbc.streamJobs({
      type: "one-task-work",
      worker: "node-stream",
      timeout: 30000,
      taskHandler: (job) => {
        seen.push(job.worker);
        return job.complete({ streamed: true });
      },
    });
    const result = await withTimeout(
      zbc.createProcessInstanceWithResult({ bpmnProcessId: "one-task", variables: { amount: 1 } }),
      15000,
      "createProcessInstanceWithResult"
    );
    return { variables: result.variables, seen };
  },

  async duplicateMessage() {
    const message = { name: "paid", correlationKey: "o-1", messageId: "m-1", variables: {}, timeToLive: 60000 };
    const first = await zbc.publishMessage(message);
    try {
      await zbc.publishMessage(message);
      return { first: first.key, second: "accepted" };
    } catch (err) {
      return { first: first.key, code: err.code, message: err.message };
    }
  },
};

(async () => {
  let outcome;
  try {
    outcome = { ok: true, result: await scenarios[scenario]() };
  } catch (err) {
    outcome = { ok: false, error: String(err && err.stack ? err.stack : err) };
  }
  process.stdout.write("OUTCOME " + JSON.stringify(outcome) + "\n");
  await zbc.close().catch(() => {});
  process.exit(0);
})();
