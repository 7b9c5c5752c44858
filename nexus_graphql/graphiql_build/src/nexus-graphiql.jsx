// GraphiQL 5 for Nexus, bundled by build.mjs into nexus_graphql/static/graphiql/vendor/graphiql-5/
// (see the README.md there):
// - the example operations of docs/operations as tabs on a first visit, and in an
//   "Examples" panel that opens any of them in a tab at any time;
// - the Explorer plugin;
// - queries and mutations over HTTP, subscriptions over WebSocket (graphql-ws, the
//   graphql-transport-ws protocol) on the same /graphql/ path;
// - the Headers editor for `Authorization: JWT <token>`; and, for convenience, the token of
//   the last sign-in (tokenAuth, register, refreshToken) is sent with every request (and in
//   connection_init's payload) that has no Authorization header of its own, until
//   "Forget the token".
import "graphiql/style.css";
import "@graphiql/plugin-explorer/style.css";
import "./nexus-graphiql.css";

import { explorerPlugin } from "@graphiql/plugin-explorer";
import { Button, useGraphiQL, useGraphiQLActions } from "@graphiql/react";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { getOperationAST, Kind, OperationTypeNode, parse } from "graphql";
import { createClient } from "graphql-ws";
import React, { useEffect, useState } from "react";
import { createRoot } from "react-dom/client";

const config = JSON.parse(document.getElementById("nexus-graphiql-config").textContent);
const TOKEN_KEY = "nexus:token";
const TOKEN_EVENT = "nexus:token-changed";

// Monaco's workers, from this server's static files (their URLs come from the page, so
// collectstatic's hashed names work): no blob: or CDN workers.
globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    const url = config.workers[label] || config.workers.editor;
    return new Worker(url);
  },
};

// ------------------------------------------------------------------ the token

function currentToken() {
  return window.sessionStorage.getItem(TOKEN_KEY);
}

function setToken(token) {
  if (token) {
    window.sessionStorage.setItem(TOKEN_KEY, token);
  } else {
    window.sessionStorage.removeItem(TOKEN_KEY);
  }
  window.dispatchEvent(new Event(TOKEN_EVENT));
}

function tokenIn(result) {
  const data = result && result.data;
  if (!data) {
    return null;
  }
  const payload = data.tokenAuth || data.register || data.refreshToken;
  return (payload && payload.token) || null;
}

function hasAuthorization(headers) {
  return Object.keys(headers || {}).some((name) => name.toLowerCase() === "authorization");
}

// What is sent is params.query, so route by it, not by GraphiQL's view of the editor.
// @graphiql/toolkit's createGraphiQLFetcher sends an operation over the WebSocket only when
// fetcherOpts.documentAST is given and holds a subscription named params.operationName
// (an anonymous one when no name is given); otherwise over HTTP, where the server refuses
// subscriptions. GraphiQL passes the documentAST its operation editor parsed, 100 ms after
// the last edit (a debounce): a subscription run sooner than that after an edit (Ctrl+Enter
// straight after typing, a script setting the text) came with the previous text's AST (none
// for a new tab) and went over HTTP. So the fetcher parses params.query itself and passes
// that AST, and names the operation it selects:
// - a tab's operation name can lag behind its query: a name the query does not define is
//   dropped;
// - without a name, a query of one operation runs that operation: its name (if it has one)
//   is sent, which the toolkit needs to see that a named subscription is one.
function withOwnOperation(params) {
  let documentAST;
  try {
    documentAST = parse(params.query);
  } catch {
    return { params }; // the server explains syntax errors
  }
  const names = documentAST.definitions
    .filter((d) => d.kind === Kind.OPERATION_DEFINITION)
    .map((d) => d.name && d.name.value);
  const known = params.operationName && names.includes(params.operationName);
  const operation = getOperationAST(documentAST, known ? params.operationName : undefined);
  const operationName = (operation && operation.name && operation.name.value) || undefined;
  return {
    params: { ...params, operationName: known ? params.operationName : operationName },
    documentAST,
    subscription: Boolean(operation && operation.operation === OperationTypeNode.SUBSCRIPTION),
  };
}

// ------------------------------------------------------------------ the fetcher

const httpUrl = window.location.pathname;
const subscriptionUrl =
  (window.location.protocol === "https:" ? "wss://" : "ws://") +
  window.location.host +
  window.location.pathname;

// One WebSocket client per token: connection_init carries the token as the Authorization
// header would, so signing in or out starts a new connection.
let wsClient = null;
let wsToken = null;

function websocketClient(authorization) {
  if (!wsClient || wsToken !== authorization) {
    if (wsClient) {
      wsClient.dispose();
    }
    wsToken = authorization;
    wsClient = createClient({
      url: subscriptionUrl,
      lazy: true,
      retryAttempts: 0,
      connectionParams: authorization ? { authorization } : {},
    });
  }
  return wsClient;
}

function fetcher(graphQLParams, options = {}) {
  const { params, documentAST, subscription } = withOwnOperation(graphQLParams);
  const headers = { ...options.headers };
  const injected = !hasAuthorization(headers) && currentToken();
  if (injected) {
    headers.Authorization = "JWT " + injected;
  }
  const authorization = Object.entries(headers).find(
    ([name]) => name.toLowerCase() === "authorization",
  );
  // Plain JSON answers (Nexus has no @defer/@stream), so a sign-in's token can be read.
  const base = createGraphiQLFetcher({
    url: httpUrl,
    wsClient: websocketClient(authorization ? authorization[1] : null),
    enableIncrementalDelivery: false,
  });
  // Our AST of what is sent (none when it does not parse: HTTP, whose answer explains).
  const result = base(params, { ...options, headers, documentAST });
  if (subscription) {
    return result; // over the WebSocket: (a promise of) an async iterable of results
  }
  return result.then((value) => {
    const token = tokenIn(value);
    const refused = (value && value.errors) || [];
    if (token) {
      setToken(token);
    } else if (
      injected &&
      refused.some((e) => e.extensions && e.extensions.code === "UNAUTHENTICATED")
    ) {
      setToken(null); // expired or revoked: forget it rather than fail every request
    }
    return value;
  });
}

// ------------------------------------------------------------------ examples

function ExamplesIcon() {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.5}>
      <path d="M4 5h16M4 10h16M4 15h10M4 20h7" strokeLinecap="round" />
    </svg>
  );
}

function ExamplesPanel() {
  const tabs = useGraphiQL((state) => state.tabs);
  const { addTab, changeTab } = useGraphiQLActions();
  const queryEditor = useGraphiQL((state) => state.queryEditor);
  const variableEditor = useGraphiQL((state) => state.variableEditor);
  const [token, setShownToken] = useState(currentToken());
  const [pending, setPending] = useState(null);

  useEffect(() => {
    const update = () => setShownToken(currentToken());
    window.addEventListener(TOKEN_EVENT, update);
    return () => window.removeEventListener(TOKEN_EVENT, update);
  }, []);

  // The new tab's editors show its (empty) text once React has applied addTab.
  useEffect(() => {
    if (!pending || !queryEditor) {
      return;
    }
    queryEditor.setValue(pending.query);
    if (variableEditor) {
      variableEditor.setValue(pending.variables || "");
    }
    setPending(null);
  }, [pending, tabs, queryEditor, variableEditor]);

  function open(example) {
    const index = tabs.findIndex((tab) => tab.title === example.title);
    if (index >= 0) {
      changeTab(index);
      return;
    }
    addTab();
    window.setTimeout(() => setPending(example), 0);
  }

  return (
    <div className="nexus-examples">
      <div className="graphiql-doc-explorer-title">Examples</div>
      <p>
        Sign in with <b>SignIn</b> or <b>Register</b>: the token is then sent as{" "}
        <code>Authorization: JWT &lt;token&gt;</code> with every request whose Headers do not
        set Authorization.
      </p>
      <p className="nexus-token" data-signed-in={token ? "true" : "false"}>
        {token ? "Signed in: the token is sent. " : "Not signed in. "}
        {token ? (
          <Button type="button" onClick={() => setToken(null)}>
            Forget the token
          </Button>
        ) : null}
      </p>
      <ul>
        {config.examples.map((example) => (
          <li key={example.title}>
            <Button type="button" className="nexus-example" onClick={() => open(example)}>
              {example.title}
            </Button>
            <span>{example.description}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

const examplesPlugin = { title: "Examples", icon: ExamplesIcon, content: ExamplesPanel };

// ------------------------------------------------------------------ the page

// The logo, and a handle on the editors for tests and the curious:
// window.nexusGraphiQL.text("response"), .setText("headers", "{...}").
function NexusLogo() {
  const editors = {
    query: useGraphiQL((state) => state.queryEditor),
    variables: useGraphiQL((state) => state.variableEditor),
    headers: useGraphiQL((state) => state.headerEditor),
    response: useGraphiQL((state) => state.responseEditor),
  };
  useEffect(() => {
    window.nexusGraphiQL = {
      text: (name) => (editors[name] ? editors[name].getValue() : null),
      setText: (name, value) => editors[name] && editors[name].setValue(value),
    };
  });
  return <span className="nexus-logo">Nexus · GraphiQL</span>;
}

function NexusGraphiQL() {
  return (
    <GraphiQL
      fetcher={fetcher}
      plugins={[examplesPlugin, explorerPlugin()]}
      defaultTabs={config.examples.map((example) => ({
        query: example.query,
        variables: example.variables,
      }))}
      isHeadersEditorEnabled={config.headerEditorEnabled}
      shouldPersistHeaders={config.shouldPersistHeaders}
      defaultEditorToolsVisibility={true}
    >
      <GraphiQL.Logo>
        <NexusLogo />
      </GraphiQL.Logo>
    </GraphiQL>
  );
}

createRoot(document.getElementById("graphiql")).render(<NexusGraphiQL />);
