// Runs the example operations of docs/operations against a Nexus server with Apollo Client
// and its automatic persisted queries link (queries by hash over GET, mutations by hash
// over POST), the way a production frontend would, and checks what the server did:
// the first time an operation is sent it is a miss (PersistedQueryNotFound), then the
// document is sent once with its hash, and from then on the hash alone is a hit.
//
//   node run-persisted.mjs [http://127.0.0.1:8000/graphql/] [--trusted]
//
// --trusted: the server runs only its trusted documents; an operation that is not in the
// manifest must then be refused with PERSISTED_QUERY_NOT_IN_LIST.
// The last line is machine-readable: `persisted: {...counts...}`. Exits non-zero at the
// first wrong answer.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = process.argv.slice(2);
const trusted = args.includes("--trusted");
const endpoint =
  args.find((arg) => !arg.startsWith("--")) ||
  process.env.NEXUS_GRAPHQL_URL ||
  "http://127.0.0.1:8000/graphql/";

const operationsDir = join(root, "docs", "operations");
const operations = Object.fromEntries(
  readdirSync(operationsDir)
    .filter((name) => name.endsWith(".graphql"))
    .map((name) => {
      const document = gql(readFileSync(join(operationsDir, name), "utf8"));
      const definition = document.definitions.find((d) => d.kind === "OperationDefinition");
      return [definition.name.value, { document, type: definition.operation }];
    }),
);

// ---------------------------------------------------------------- what went over the wire

let exchanges = []; // the HTTP requests of the operation running now
async function recordingFetch(input, init = {}) {
  const url = new URL(typeof input === "string" ? input : input.url);
  const method = (init.method || "GET").toUpperCase();
  const body = method === "POST" && init.body ? JSON.parse(init.body) : null;
  const response = await fetch(input, { ...init, signal: AbortSignal.timeout(30_000) });
  exchanges.push({
    method,
    withDocument: Boolean(body ? body.query : url.searchParams.get("query")),
    byHash: Boolean(
      body ? body.extensions?.persistedQuery : url.searchParams.get("extensions"),
    ),
    status: response.status,
    persisted: response.headers.get("x-persisted-query"),
    cacheControl: response.headers.get("cache-control"),
    etag: response.headers.get("etag"),
  });
  return response;
}

function client() {
  const persisted = new PersistedQueryLink({
    sha256: (text) => createHash("sha256").update(text).digest("hex"),
    useGETForHashedQueries: true,
  });
  return new ApolloClient({
    link: persisted.concat(new HttpLink({ uri: endpoint, fetch: recordingFetch })),
    cache: new InMemoryCache(),
    defaultOptions: {
      query: { fetchPolicy: "no-cache" },
      mutate: { fetchPolicy: "no-cache" },
    },
  });
}

// ---------------------------------------------------------------- a tiny runner

const counts = { operations: 0, misses: 0, stored: 0, hits: 0, getHits: 0, publicGets: 0 };
const seen = new Set(); // operations sent at least once (so the server has their hash)
let apollo = client();

async function run(name, variables, token, check) {
  const operation = operations[name];
  assert.ok(operation, `no operation ${name} in docs/operations`);
  const context = token ? { headers: { Authorization: `JWT ${token}` } } : {};
  exchanges = [];
  let data;
  try {
    const result =
      operation.type === "mutation"
        ? await apollo.mutate({ mutation: operation.document, variables, context })
        : await apollo.query({ query: operation.document, variables, context });
    data = result.data;
  } catch (error) {
    console.log(`not ok - ${name}: ${error.message} ${JSON.stringify(exchanges)}`);
    throw error;
  }
  counts.operations += 1;
  const wire = exchanges.map((e) => `${e.persisted || "-"} ${e.method} ${e.status}`).join(" -> ");
  const viaGet = operation.type === "query" ? "GET" : "POST";
  if (!seen.has(name)) {
    // First time: the hash alone is unknown, then the document goes with its hash (POST).
    assert.equal(exchanges.length, 2, `${name}: expected a miss then a retry, got ${wire}`);
    const [miss, retry] = exchanges;
    assert.deepEqual([miss.method, miss.byHash, miss.withDocument], [viaGet, true, false], wire);
    assert.equal(miss.persisted, "MISS", `${name}: the server did not miss: ${wire}`);
    assert.equal(miss.cacheControl, "private, no-store", `${name}: a miss must not be cached`);
    assert.deepEqual([retry.method, retry.withDocument, retry.persisted], ["POST", true, "STORED"]);
    counts.misses += 1;
    counts.stored += 1;
    seen.add(name);
  } else {
    assert.equal(exchanges.length, 1, `${name}: expected one request by hash, got ${wire}`);
    const [hit] = exchanges;
    assert.deepEqual([hit.method, hit.withDocument, hit.status], [viaGet, false, 200], wire);
    assert.equal(hit.persisted, "HIT", `${name}: not served by hash: ${wire}`);
    counts.hits += 1;
    if (hit.method === "GET") {
      counts.getHits += 1;
      if (!token) {
        assert.match(hit.cacheControl, /^public, /, `${name}: anonymous GET not public`);
        assert.match(hit.etag || "", /^W\//, `${name}: no weak ETag`);
        counts.publicGets += 1;
      } else {
        assert.equal(hit.cacheControl, "private, no-store", `${name}: signed-in GET cacheable`);
      }
    }
  }
  const note = check ? check(data) : "";
  console.log(`ok - ${name}: ${wire}${note ? ` (${note})` : ""}`);
  return data;
}

function noErrors(payload, name) {
  assert.deepEqual(payload.errors, [], `${name} answered errors: ${JSON.stringify(payload.errors)}`);
}

const nodes = (connection) => connection.edges.map((edge) => edge.node);

// ---------------------------------------------------------------- the story

const suffix = `${Date.now().toString(36)}${process.pid}`;
const password = "a long passphrase for the apollo client";
const ada = { username: `apq_ada_${suffix}`, email: `apq_ada_${suffix}@example.com`, password };
const grace = { username: `apq_gr_${suffix}`, email: `apq_gr_${suffix}@example.com`, password };

async function main() {
  console.log(`Apollo Client with persisted queries against ${endpoint}${trusted ? " (trusted)" : ""}`);

  // Every query twice, anonymous: a miss, then a hit by GET.
  const browse = await run("BrowseChallenges", { first: 3 });
  await run("BrowseChallenges", { first: 3 });
  const technology = nodes(nodes(browse.challenges)[0].technologies)[0].slug;
  await run("Technology", { slug: technology });
  await run("Technology", { slug: technology });
  const page = await run("PageTechnologies", { first: 5 });
  await run("PageTechnologies", { first: 5, after: page.technologies.pageInfo.endCursor });
  await run("Search", { query: "redis", first: 5 });
  await run("Search", { query: "cache", first: 5 });

  // Two contributors: every mutation runs at least twice, so each is seen hit by hash.
  for (const who of [ada, grace]) {
    await run("Register", { input: { ...who, track: "FRONTEND" } }, null, (data) => {
      noErrors(data.register, "register");
      return `registered ${data.register.contributor.username}`;
    });
  }
  const adaToken = (await run("SignIn", { username: ada.username, password })).tokenAuth.token;
  const graceToken = (await run("SignIn", { username: grace.username, password })).tokenAuth.token;
  await run("Me", {}, adaToken, (data) => {
    assert.equal(data.me.username, ada.username);
    return `me is ${data.me.username}`;
  });
  await run("Me", {}, graceToken, (data) => {
    assert.equal(data.me.username, grace.username);
    return "a signed-in GET is private";
  });

  const project = nodes(browse.challenges).find((node) => node.project)?.project.slug;
  const challenges = [];
  for (const [who, token] of [
    [ada, adaToken],
    [grace, graceToken],
  ]) {
    const input = {
      title: `Persisted queries behind a CDN (${who.username})`,
      description: "Which responses may a CDN keep, and for how long?",
      project,
      technologies: [technology],
    };
    const data = await run("SubmitChallenge", { input }, token);
    noErrors(data.submitChallenge, "submitChallenge");
    challenges.push(data.submitChallenge.challenge);
  }
  // Each answers the other's challenge, upvotes the answer to their own, and accepts it.
  const answers = [];
  for (const [challenge, token] of [
    [challenges[0], graceToken],
    [challenges[1], adaToken],
  ]) {
    const input = { challengeId: challenge.id, body: "Only anonymous GETs that succeeded." };
    const data = await run("SubmitSolution", { input }, token);
    noErrors(data.submitSolution, "submitSolution");
    answers.push(data.submitSolution.solution);
  }
  for (const [solution, token] of [
    [answers[0], adaToken],
    [answers[1], graceToken],
  ]) {
    const data = await run("VoteSolution", { input: { solutionId: solution.id, value: "UP" } }, token);
    noErrors(data.voteSolution, "voteSolution");
    assert.equal(data.voteSolution.solution.score, 1);
    const accepted = await run("AcceptSolution", { input: { solutionId: solution.id } }, token);
    noErrors(accepted.acceptSolution, "acceptSolution");
    assert.equal(accepted.acceptSolution.solution.isAccepted, true);
  }
  const comment = await run(
    "AddComment",
    { input: { targetId: challenges[0].id, body: "And the misses?" } },
    graceToken,
  );
  noErrors(comment.addComment, "addComment");
  const reply = await run(
    "AddComment",
    {
      input: {
        targetId: challenges[0].id,
        parentId: comment.addComment.comment.id,
        body: "Never: private, no-store.",
      },
    },
    adaToken,
  );
  noErrors(reply.addComment, "addComment");
  for (const challenge of challenges) {
    await run("ChallengeDiscussion", { slug: challenge.slug }, null, (data) => {
      const [first] = nodes(data.challenge.solutions);
      assert.equal(data.challenge.acceptedSolution.id, first.id);
      assert.deepEqual([first.score, first.isAccepted], [1, true]);
      return "accepted answer first, with its vote";
    });
  }

  // A new client (a page reload): the server still knows every hash, so no miss at all.
  apollo = client();
  await run("BrowseChallenges", { first: 3 });
  await run("SignIn", { username: ada.username, password });

  if (trusted) {
    // Not in the manifest: the miss, then the document, which is refused.
    exchanges = [];
    const error = await apollo
      .query({ query: gql("query NotTrusted { hubStats { challenges } }") })
      .then(() => null, (caught) => caught);
    assert.ok(error, "an operation outside the manifest ran");
    const codes = (error.errors || []).map((e) => e.extensions?.code);
    assert.deepEqual(codes, ["PERSISTED_QUERY_NOT_IN_LIST"], `got ${error.message}`);
    counts.refused = 1;
    console.log("ok - NotTrusted: refused with PERSISTED_QUERY_NOT_IN_LIST");
  }

  for (const name of Object.keys(operations)) {
    assert.ok(seen.has(name), `${name} was never run`);
  }
  console.log(`persisted: ${JSON.stringify(counts)}`);
}

main().catch((error) => {
  console.error(error instanceof assert.AssertionError ? `FAILED: ${error.message}` : error);
  process.exit(1);
});
