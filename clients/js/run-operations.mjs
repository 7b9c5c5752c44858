// Runs the example operations of docs/operations, in order, against a Nexus server with
// a stock client (graphql-request), the way a frontend would, and checks each answer.
//
//   node run-operations.mjs [http://127.0.0.1:8000/graphql/]
//
// Two new contributors are registered (names made unique per run), so it can run
// against any server, a fresh one or one in use. Exits non-zero at the first wrong answer.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { buildSchema, parse, validate } from "graphql";
import { ClientError, GraphQLClient } from "graphql-request";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const endpoint = process.argv[2] || process.env.NEXUS_GRAPHQL_URL || "http://127.0.0.1:8000/graphql/";

// ---------------------------------------------------------------- the operations

const operationsDir = join(root, "docs", "operations");
const operations = Object.fromEntries(
  readdirSync(operationsDir)
    .filter((name) => name.endsWith(".graphql"))
    .map((name) => {
      const text = readFileSync(join(operationsDir, name), "utf8");
      const definition = parse(text).definitions.find((d) => d.kind === "OperationDefinition");
      return [definition.name.value, text];
    }),
);

// The committed SDL is what frontends generate code from: the operations must fit it.
const schema = buildSchema(readFileSync(join(root, "schema.graphql"), "utf8"));
for (const [name, text] of Object.entries(operations)) {
  const errors = validate(schema, parse(text));
  assert.equal(errors.length, 0, `${name} does not fit schema.graphql: ${errors.join("; ")}`);
}

// ---------------------------------------------------------------- a tiny runner

const anonymous = new GraphQLClient(endpoint);
const signedIn = (token) =>
  new GraphQLClient(endpoint, { headers: { Authorization: `JWT ${token}` } });

let step = 0;
async function run(client, name, variables, check) {
  step += 1;
  assert.ok(operations[name], `no operation ${name} in docs/operations`);
  let data;
  try {
    data = await client.request({ document: operations[name], variables });
  } catch (error) {
    const detail = error instanceof ClientError ? JSON.stringify(error.response.errors) : error;
    console.log(`not ok ${step} - ${name}: ${detail}`);
    throw error;
  }
  const note = check(data);
  console.log(`ok ${step} - ${name}${note ? `: ${note}` : ""}`);
  return data;
}

function noErrors(payload, name) {
  assert.deepEqual(payload.errors, [], `${name} answered errors: ${JSON.stringify(payload.errors)}`);
}

const nodes = (connection) => connection.edges.map((edge) => edge.node);

// ---------------------------------------------------------------- the story

const suffix = `${Date.now().toString(36)}${process.pid}`;
const password = "a long passphrase for the example client";
const ada = { username: `ada_${suffix}`, email: `ada_${suffix}@example.com`, password };
const grace = { username: `grace_${suffix}`, email: `grace_${suffix}@example.com`, password };

async function main() {
  console.log(`Nexus example operations against ${endpoint}`);

  // Browsing, paging, search: anonymous.
  const browse = await run(anonymous, "BrowseChallenges", { first: 3 }, (data) => {
    assert.ok(data.challenges.totalCount > 0, "the hub has no challenges");
    assert.equal(data.challenges.edges.length, Math.min(3, data.challenges.totalCount));
    return `${data.challenges.edges.length} of ${data.challenges.totalCount} challenges`;
  });
  const technologySlug = nodes(nodes(browse.challenges)[0].technologies)[0].slug;

  await run(anonymous, "Technology", { slug: technologySlug }, (data) => {
    assert.equal(data.technology.learnedHtml.length > 0, true, "no learnedHtml");
    return `${data.technology.name}: ${data.technology.learnings.edges.length} learnings`;
  });

  const seen = new Set();
  let after = null;
  let total = 0;
  let pages = 0;
  do {
    const page = await run(anonymous, "PageTechnologies", { first: 5, after }, (data) => {
      const connection = data.technologies;
      total = connection.totalCount;
      for (const node of nodes(connection)) {
        assert.ok(!seen.has(node.id), `technology ${node.slug} came twice`);
        seen.add(node.id);
      }
      return `page ${pages + 1}: ${connection.edges.length} technologies`;
    });
    pages += 1;
    after = page.technologies.pageInfo.hasNextPage ? page.technologies.pageInfo.endCursor : null;
  } while (after);
  assert.equal(seen.size, total, `paging gave ${seen.size} technologies, totalCount is ${total}`);

  await run(anonymous, "Search", { query: "redis", first: 5 }, (data) => {
    assert.ok(data.search.length > 0, "search found nothing for redis");
    return data.search.map((hit) => hit.__typename).join(", ");
  });

  // Register, sign in, the token works.
  const registered = await run(
    anonymous,
    "Register",
    { input: { ...ada, displayName: "Ada", track: "FRONTEND" } },
    (data) => {
      noErrors(data.register, "register");
      assert.equal(data.register.contributor.username, ada.username);
      assert.ok(data.register.token, "register gave no token");
      return `registered ${data.register.contributor.username}`;
    },
  );
  await run(anonymous, "Register", { input: { ...grace, track: "BACKEND" } }, (data) => {
    noErrors(data.register, "register");
    return `registered ${data.register.contributor.username}`;
  });

  const adaToken = (
    await run(anonymous, "SignIn", { username: ada.username, password }, (data) => {
      assert.ok(data.tokenAuth.token, "tokenAuth gave no token");
      return "signed in";
    })
  ).tokenAuth.token;
  const graceToken = (
    await run(anonymous, "SignIn", { username: grace.username, password }, () => "signed in")
  ).tokenAuth.token;
  const asAda = signedIn(adaToken);
  const asGrace = signedIn(graceToken);

  await run(asAda, "Me", {}, (data) => {
    assert.equal(data.me?.username, ada.username, "the token does not sign Ada in");
    assert.equal(data.me.id, registered.register.contributor.id);
    return `me is ${data.me.username}`;
  });
  await run(anonymous, "Me", {}, (data) => {
    assert.equal(data.me, null, "me without a token must be null");
    return "null without a token";
  });

  // Ada submits a challenge, Grace answers it, Ada votes, accepts, and they discuss it.
  const submitted = await run(
    asAda,
    "SubmitChallenge",
    {
      input: {
        title: `Keeping a GraphQL schema in sync with the frontend (${suffix})`,
        description: "How do you notice, **before** the frontend breaks, that a field changed?",
        project: browse.challenges.edges.find((edge) => edge.node.project)?.node.project.slug,
        technologies: [technologySlug],
      },
    },
    (data) => {
      noErrors(data.submitChallenge, "submitChallenge");
      const challenge = data.submitChallenge.challenge;
      assert.equal(challenge.status, "PUBLISHED");
      assert.equal(challenge.author.username, ada.username);
      assert.deepEqual(nodes(challenge.technologies).map((t) => t.slug), [technologySlug]);
      return `challenge ${challenge.slug}`;
    },
  );
  const challenge = submitted.submitChallenge.challenge;

  const answered = await run(
    asGrace,
    "SubmitSolution",
    {
      input: {
        challengeId: challenge.id,
        body: "Commit the printed `schema.graphql` and fail CI when it differs from the code.",
      },
    },
    (data) => {
      noErrors(data.submitSolution, "submitSolution");
      const solution = data.submitSolution.solution;
      assert.equal(solution.challenge.id, challenge.id);
      assert.equal(solution.challenge.solutionCount, 1);
      assert.equal(solution.score, 0);
      return `solution by ${solution.author.username}`;
    },
  );
  const solution = answered.submitSolution.solution;

  await run(asAda, "VoteSolution", { input: { solutionId: solution.id, value: "UP" } }, (data) => {
    noErrors(data.voteSolution, "voteSolution");
    assert.equal(data.voteSolution.solution.score, 1, "the vote was not counted");
    assert.equal(data.voteSolution.solution.viewerVote, "UP");
    return `score ${data.voteSolution.solution.score}`;
  });

  await run(asGrace, "VoteSolution", { input: { solutionId: solution.id, value: "UP" } }, (data) => {
    assert.equal(data.voteSolution.solution, null, "voting on one's own solution was allowed");
    assert.equal(data.voteSolution.errors[0]?.code, "NOT_ALLOWED");
    return `own vote refused: ${data.voteSolution.errors[0].message}`;
  });

  await run(asAda, "AcceptSolution", { input: { solutionId: solution.id } }, (data) => {
    noErrors(data.acceptSolution, "acceptSolution");
    assert.equal(data.acceptSolution.challenge.acceptedSolution.id, solution.id);
    assert.equal(data.acceptSolution.solution.isAccepted, true);
    const reputation = data.acceptSolution.solution.author.reputation;
    assert.equal(reputation, 10 + 15, "reputation is +10 per upvote and +15 per accepted answer");
    return `accepted; ${grace.username} has ${reputation} reputation`;
  });

  const question = await run(
    asAda,
    "AddComment",
    { input: { targetId: challenge.id, body: "Does this also catch a removed enum value?" } },
    (data) => {
      noErrors(data.addComment, "addComment");
      assert.equal(data.addComment.comment.parent, null);
      return `comment by ${data.addComment.comment.author.username}`;
    },
  );
  const questionId = question.addComment.comment.id;
  await run(
    asGrace,
    "AddComment",
    { input: { targetId: challenge.id, parentId: questionId, body: "Yes: the printed SDL changes." } },
    (data) => {
      noErrors(data.addComment, "addComment");
      assert.equal(data.addComment.comment.parent.id, questionId);
      return "reply threaded under it";
    },
  );

  await run(anonymous, "ChallengeDiscussion", { slug: challenge.slug }, (data) => {
    const seenChallenge = data.challenge;
    assert.equal(seenChallenge.acceptedSolution.id, solution.id);
    const [answer] = nodes(seenChallenge.solutions);
    assert.deepEqual([answer.id, answer.score, answer.isAccepted], [solution.id, 1, true]);
    assert.equal(seenChallenge.comments.totalCount, 1, "the reply must not be a top-level comment");
    const [topLevel] = nodes(seenChallenge.comments);
    const [reply] = nodes(topLevel.replies);
    assert.equal(topLevel.id, questionId);
    assert.equal(reply.author.username, grace.username);
    assert.equal(reply.parent.id, questionId);
    return "accepted answer first with its vote, comment and reply threaded";
  });

  console.log(`all ${step} operations answered as expected`);
}

main().catch((error) => {
  console.error(error instanceof assert.AssertionError ? `FAILED: ${error.message}` : error);
  process.exit(1);
});
