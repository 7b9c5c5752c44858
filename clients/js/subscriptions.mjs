// N graphql-ws subscribers on one challenge's solutionAdded; another client (plain HTTP)
// submits a solution; prints how many events each subscriber got and how long after the
// mutation's answer they arrived (JSON on stdout). Exits 1 on any protocol error.
//   node subscriptions.mjs <graphql url> <username> <password> <subscribers>
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, username, password, count = "1"] = process.argv.slice(2);
const wsUrl = url.replace(/^http/, "ws");
const TIMEOUT_MS = 20_000; // every wait here ends, with an error

async function post(query, variables, token) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `JWT ${token}`;
  const response = await fetch(url, {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const { tokenAuth } = await post(
  "mutation ($u: String!, $p: String!) { tokenAuth(username: $u, password: $p) { token } }",
  { u: username, p: password },
);
const { challenges } = await post("{ challenges(first: 1) { edges { node { id } } } }");
const challengeId = challenges.edges[0].node.id;

const received = Array.from({ length: Number(count) }, () => []);
const clients = [];
const subscribed = [];
for (let i = 0; i < Number(count); i++) {
  let acked;
  const connected = new Promise((resolve) => (acked = resolve));
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `JWT ${tokenAuth.token}` },
    lazy: false,
    retryAttempts: 0,
    on: { connected: acked },
  });
  clients.push(client);
  client.subscribe(
    { query: "subscription ($id: ID!) { solutionAdded(challengeId: $id) { id body } }", variables: { id: challengeId } },
    {
      next: (value) => received[i].push({ at: performance.now(), value }),
      error: (error) => {
        console.error("subscription error", JSON.stringify(error?.reason ?? error));
        process.exit(1);
      },
      complete: () => {},
    },
  );
  subscribed.push(connected);
}
const guard = setTimeout(() => {
  console.error("timed out");
  process.exit(1);
}, TIMEOUT_MS * 3);
await Promise.all(subscribed);
// The acks are in; give the server a moment to have every subscribe in its groups
// (graphql-transport-ws has no "subscribed" message).
await new Promise((resolve) => setTimeout(resolve, 1000 + 10 * Number(count)));
const started = performance.now();
const { submitSolution } = await post(
  "mutation ($input: SubmitSolutionInput!) { submitSolution(input: $input) { solution { id } errors { message } } }",
  { input: { challengeId, body: "Live from Node." } },
  tokenAuth.token,
);
const answered = performance.now();
const deadline = answered + 5000;
while (received.some((events) => events.length === 0) && performance.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 10));
}
await new Promise((resolve) => setTimeout(resolve, 300)); // duplicates would show by now
// From the mutation's start: an event may arrive before the mutation's answer does.
const delays = received.flatMap((events) => events.slice(0, 1).map((e) => e.at - started)).sort((a, b) => a - b);
const id = submitSolution.solution.id;
console.log(
  JSON.stringify({
    subscribers: received.length,
    exactlyOne: received.filter((events) => events.length === 1 && events[0].value.data.solutionAdded.id === id).length,
    missing: received.filter((events) => events.length === 0).length,
    mutationMs: Math.round(answered - started),
    p50Ms: delays.length ? Math.round(delays[Math.floor(delays.length / 2)]) : null,
    maxMs: delays.length ? Math.round(delays[delays.length - 1]) : null,
  }),
);
clearTimeout(guard);
await Promise.all(clients.map((client) => client.dispose()));
process.exit(0);
