// Rebuilds nexus_graphql/static/graphiql/vendor/graphiql-5/ from the packages package-lock.json
// pins: `make graphiql` from the repository root (npm ci, then node build.mjs). OUTDIR writes
// elsewhere (tests/frontend/test_graphiql_page.py rebuilds into a temporary folder).
// The output is deterministic (no source maps, no timestamps): the same lock gives the same
// bytes, whose integrity hashes nexus_graphql/graphiql.py lists and tests check.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

const outdir = process.env.OUTDIR || "../static/graphiql/vendor/graphiql-5";
rmSync(outdir, { recursive: true, force: true });

const common = {
  bundle: true,
  minify: true,
  legalComments: "eof",
  sourcemap: false,
  target: "es2020",
  logLevel: "warning",
  define: { "process.env.NODE_ENV": '"production"' },
};

// The page: GraphiQL, React, the explorer, graphql-ws and the Nexus app, with its CSS.
// Fonts are inlined, so the CSS has no url() that collectstatic would rewrite.
await build({
  ...common,
  entryPoints: { "nexus-graphiql": "src/nexus-graphiql.jsx" },
  outdir,
  format: "iife",
  jsx: "automatic",
  loader: { ".ttf": "dataurl", ".woff": "dataurl", ".woff2": "dataurl" },
});

// Monaco's web workers, each a classic script.
await build({
  ...common,
  entryPoints: {
    "editor.worker": "monaco-editor/esm/vs/editor/editor.worker.js",
    "json.worker": "monaco-editor/esm/vs/language/json/json.worker.js",
    "graphql.worker": "monaco-graphql/esm/graphql.worker.js",
  },
  outdir,
  format: "iife",
});

// Each file's subresource integrity, which the page loads it with (nexus_graphql/graphiql.py).
const files = readdirSync(outdir).filter((name) => name !== "integrity.json").sort();
const integrity = Object.fromEntries(
  files.map((name) => [
    name,
    "sha256-" + createHash("sha256").update(readFileSync(`${outdir}/${name}`)).digest("base64"),
  ]),
);
writeFileSync(`${outdir}/integrity.json`, JSON.stringify(integrity, null, 2) + "\n");
