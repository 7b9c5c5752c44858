// Runs the GraphQL over HTTP audit suite (npm graphql-http's serverAudits: the spec's
// MUST, SHOULD and MAY checks) against a Nexus server and prints every result.
//
//   node run-audit.mjs [http://127.0.0.1:8000/graphql/]
//
// The last line is machine-readable: `audit: N ok, N warnings, N errors, N notices`.
// Exits non-zero on any error (a failed MUST) or warning (a failed SHOULD).
import { serverAudits } from "graphql-http";

const url = process.argv[2] || process.env.NEXUS_GRAPHQL_URL || "http://127.0.0.1:8000/graphql/";

// Each request gets a deadline, so a server that hangs fails the audit instead of blocking it.
const fetchFn = (input, init = {}) => fetch(input, { ...init, signal: AbortSignal.timeout(15_000) });

const counts = { ok: 0, warn: 0, error: 0, notice: 0 };
const results = [];
// One at a time: the suite is small, and the server's log stays readable.
for (const audit of serverAudits({ url, fetchFn })) {
  results.push(await audit.fn());
}
for (const result of results) {
  counts[result.status] += 1;
  const mark = { ok: "ok", warn: "WARN", error: "ERROR", notice: "notice" }[result.status];
  let line = `${mark} ${result.id} ${result.name}`;
  if (result.status !== "ok") {
    const response = result.response;
    const detail = response
      ? ` (${response.status} ${response.headers.get("content-type") || "no content-type"})`
      : "";
    line += `: ${result.reason}${detail}`;
  }
  console.log(line);
}
console.log(
  `audit: ${counts.ok} ok, ${counts.warn} warnings, ${counts.error} errors, ${counts.notice} notices`,
);
process.exit(counts.warn + counts.error > 0 ? 1 : 0);
