// Mounts GraphiQL (vendored UMD builds, see vendor/README.md) for Nexus:
// - the example operations of docs/operations as tabs on a first visit, and in an
//   "Examples" panel that opens any of them in a tab at any time;
// - the Headers editor for `Authorization: JWT <token>`; and, for convenience, the
//   token of the last sign-in (tokenAuth, register, refreshToken) is sent with every
//   request that has no Authorization header of its own, until "Forget the token".
(function (document, window, React, ReactDOM, GraphiQL, GraphiQLPluginExplorer) {
  "use strict";

  var h = React.createElement;
  var config = JSON.parse(document.getElementById("nexus-graphiql-config").textContent);
  var TOKEN_KEY = "nexus:token";
  var TOKEN_EVENT = "nexus:token-changed";

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
    var data = result && result.data;
    if (!data) {
      return null;
    }
    var payload = data.tokenAuth || data.register || data.refreshToken;
    return (payload && payload.token) || null;
  }

  function hasAuthorization(headers) {
    return Object.keys(headers || {}).some(function (name) {
      return name.toLowerCase() === "authorization";
    });
  }

  // GraphiQL 2.4 learns a tab's operation name 100 ms after the tab is shown: a run
  // sooner sends the previous tab's name with this tab's query. Drop a name the
  // query does not define (a query of one operation needs none).
  function withOwnOperationName(params) {
    if (!params.operationName) {
      return params;
    }
    var names;
    try {
      names = GraphiQL.GraphQL.parse(params.query).definitions.map(function (definition) {
        return definition.name && definition.name.value;
      });
    } catch (syntaxError) {
      return params; // the server explains syntax errors
    }
    return names.indexOf(params.operationName) >= 0
      ? params
      : Object.assign({}, params, { operationName: undefined });
  }

  // Plain JSON answers (Nexus has no @defer/@stream), so a sign-in's token can be read.
  var baseFetcher = GraphiQL.createFetcher({
    url: window.location.pathname,
    enableIncrementalDelivery: false,
  });

  function fetcher(params, options) {
    params = withOwnOperationName(params);
    options = options || {};
    var headers = Object.assign({}, options.headers);
    var injected = !hasAuthorization(headers) && currentToken();
    if (injected) {
      headers.Authorization = "JWT " + injected;
    }
    var result = baseFetcher(params, Object.assign({}, options, { headers: headers }));
    if (!result || typeof result.then !== "function") {
      return result;
    }
    return result.then(function (value) {
      var token = tokenIn(value);
      var refused = (value && value.errors) || [];
      if (token) {
        setToken(token);
      } else if (
        injected &&
        refused.some(function (e) {
          return e.extensions && e.extensions.code === "UNAUTHENTICATED";
        })
      ) {
        setToken(null); // expired or revoked: forget it rather than fail every request
      }
      return value;
    });
  }

  // ------------------------------------------------------------------ examples

  function ExamplesIcon() {
    return h(
      "svg",
      { viewBox: "0 0 24 24", fill: "none", stroke: "currentColor", strokeWidth: 1.5 },
      h("path", { d: "M4 5h16M4 10h16M4 15h10M4 20h7", strokeLinecap: "round" })
    );
  }

  function ExamplesPanel() {
    var editor = GraphiQL.React.useEditorContext({ nonNull: true });
    var tokenState = React.useState(currentToken());
    var token = tokenState[0];
    var setShownToken = tokenState[1];

    React.useEffect(function () {
      function update() {
        setShownToken(currentToken());
      }
      window.addEventListener(TOKEN_EVENT, update);
      return function () {
        window.removeEventListener(TOKEN_EVENT, update);
      };
    }, []);

    function open(example) {
      var index = editor.tabs.findIndex(function (tab) {
        return tab.title === example.title;
      });
      if (index >= 0) {
        editor.changeTab(index);
        return;
      }
      editor.addTab();
      // The new tab's editors exist once React has applied addTab.
      window.setTimeout(function () {
        editor.queryEditor.setValue(example.query);
        if (editor.variableEditor) {
          editor.variableEditor.setValue(example.variables || "");
        }
      }, 0);
    }

    return h(
      "div",
      { className: "nexus-examples" },
      h("div", { className: "graphiql-doc-explorer-title" }, "Examples"),
      h(
        "p",
        null,
        "Sign in with ",
        h("b", null, "SignIn"),
        " or ",
        h("b", null, "Register"),
        ": the token is then sent as ",
        h("code", null, "Authorization: JWT <token>"),
        " with every request whose Headers do not set Authorization."
      ),
      h(
        "p",
        { className: "nexus-token", "data-signed-in": token ? "true" : "false" },
        token ? "Signed in: the token is sent. " : "Not signed in. ",
        token
          ? h(
              GraphiQL.React.Button,
              { type: "button", onClick: function () { setToken(null); } },
              "Forget the token"
            )
          : null
      ),
      h(
        "ul",
        null,
        config.examples.map(function (example) {
          return h(
            "li",
            { key: example.title },
            h(
              GraphiQL.React.Button,
              {
                type: "button",
                className: "nexus-example",
                onClick: function () { open(example); },
              },
              example.title
            ),
            h("span", null, example.description)
          );
        })
      )
    );
  }

  var examplesPlugin = { title: "Examples", icon: ExamplesIcon, content: ExamplesPanel };

  // ------------------------------------------------------------------ explorer

  // The explorer follows the active tab's query. (Passing GraphiQL a controlled
  // `query` instead would fight the tabs: its editor reports edits late.)
  function ExplorerPanel() {
    var editor = GraphiQL.React.useEditorContext({ nonNull: true });
    var tab = editor.tabs[editor.activeTabIndex];
    var plugin = GraphiQLPluginExplorer.useExplorerPlugin({
      query: (tab && tab.query) || "",
      onEdit: function (query) {
        editor.queryEditor.setValue(query);
      },
    });
    return h(plugin.content);
  }

  function ExplorerIcon() {
    return h(
      "svg",
      { viewBox: "0 0 24 24", fill: "none", stroke: "currentColor", strokeWidth: 1.5 },
      h("path", { d: "M3 6h7l2 2h9v11H3z", strokeLinejoin: "round" }),
      h("path", { d: "M8 13h8M12 9v8", strokeLinecap: "round" })
    );
  }

  var explorerPlugin = { title: "GraphiQL Explorer", icon: ExplorerIcon, content: ExplorerPanel };

  // ------------------------------------------------------------------ the page

  function NexusGraphiQL() {
    return h(GraphiQL, {
      fetcher: fetcher,
      plugins: [examplesPlugin, explorerPlugin],
      defaultTabs: config.examples.map(function (example) {
        return { query: example.query, variables: example.variables };
      }),
      isHeadersEditorEnabled: config.headerEditorEnabled,
      shouldPersistHeaders: config.shouldPersistHeaders,
      defaultEditorToolsVisibility: true,
    });
  }

  ReactDOM.render(h(NexusGraphiQL), document.getElementById("graphiql"));
})(document, window, window.React, window.ReactDOM, window.GraphiQL, window.GraphiQLPluginExplorer);
