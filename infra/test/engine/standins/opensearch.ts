/**
 * OpenSearch stand-in: the tools' OpenSearch test double (templates, indices, aliases, documents,
 * search by id and a few query types, cluster health) served on :9200 with its state written through
 * to the opensearch-data volume. Only the compose file's setup: one node, security plugin off.
 */
import {
  OPENSEARCH_VERSION,
  startOpenSearchTestDouble,
} from "../../../../tools/test/support/opensearch-test-double.ts";
import { announce, dataDir, listenAddress, log, refuse, stopOnSignals } from "./runtime.ts";

export async function runOpenSearch(): Promise<number | undefined> {
  announce(
    "opensearchproject/opensearch",
    `a one-node REST double reporting version ${OPENSEARCH_VERSION} (templates, indices, aliases, documents, simple search)`,
  );
  if (process.env.DISABLE_SECURITY_PLUGIN !== "true")
    return refuse(
      "the stand-in implements only plain HTTP without users",
      "set DISABLE_SECURITY_PLUGIN=true (as infra/docker-compose.yml does)",
    );
  const directory = dataDir("/usr/share/opensearch/data");
  const listen = listenAddress(9200);
  const server = await startOpenSearchTestDouble({
    dataDir: directory,
    listen,
    clusterName: process.env["cluster.name"] ?? "opensearch",
    recordRequests: false,
  });
  log(`REST API on ${listen.host}:${listen.port}, data in ${directory}`);
  stopOnSignals([server.stop]);
  return undefined;
}
