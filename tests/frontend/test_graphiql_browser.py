"""GraphiQL in a real browser (Debian's headless Chromium), with the network cut off.

Chromium resolves no host but 127.0.0.1, and every request it makes is logged:
the page must work from the server's own files alone. Set NEXUS_SCREENSHOT to a
path (docs/graphiql.png) to keep a screenshot of the page.
"""

import contextlib
import json
import os
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import websocket
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.frontend.conftest import CHROMEDRIVER, CHROMIUM, OPERATIONS_DIR, require_tool

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,860",
    # Offline: no name but the test server's address resolves.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
)
# The app's handle on GraphiQL's Monaco editors (nexus_graphql/graphiql_build/src).
RESPONSE = "return window.nexusGraphiQL ? window.nexusGraphiQL.text('response') : null"


@pytest.fixture
def browser():
    require_tool(
        CHROMIUM.exists() and CHROMEDRIVER.exists(),
        "Chromium and ChromeDriver",
        "apt-get install -y chromium chromium-driver",
    )
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def requested_urls(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def open_graphiql(driver, server) -> list[str]:
    """Open the page; the titles of its tabs once GraphiQL has rendered."""
    driver.get(server.graphql_url)
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".graphiql-tab"))
    return [tab.text for tab in driver.find_elements(By.CSS_SELECTOR, ".graphiql-tab")]


def switch_to_tab(driver, title: str) -> None:
    tab = driver.find_element(
        By.XPATH, f"//button[contains(@class, 'graphiql-tab-button')][.='{title}']"
    )
    tab.click()


def run_and_read(driver, expect: str) -> dict:
    """Press run; the JSON response shown, once it mentions `expect`."""
    driver.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
    try:
        WebDriverWait(driver, 30).until(lambda d: expect in (d.execute_script(RESPONSE) or ""))
    except TimeoutException:
        shown = driver.execute_script(RESPONSE)
        raise AssertionError(f"no {expect} in the response; it shows: {shown}") from None
    return json.loads(driver.execute_script(RESPONSE))


def test_graphiql_runs_a_query_offline_and_shows_the_result(browser, nexus_server):
    titles = open_graphiql(browser, nexus_server)

    assert titles[0] == "BrowseChallenges"
    assert len(titles) == len(list(OPERATIONS_DIR.glob("*.graphql")))
    shown = run_and_read(browser, '"totalCount"')

    query = (OPERATIONS_DIR / "01-browse-challenges.graphql").read_text()
    assert shown == nexus_server.post(query)
    # On screen too (Monaco renders the lines in view only: the top of the answer).
    total = shown["data"]["challenges"]["totalCount"]
    assert (
        f'"totalCount": {total}' in browser.find_element(By.CSS_SELECTOR, ".graphiql-response").text
    )

    browser.find_element(By.CSS_SELECTOR, "[aria-label='Show Examples']").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".nexus-example"))
    if os.environ.get("NEXUS_SCREENSHOT"):
        browser.save_screenshot(str(Path(os.environ["NEXUS_SCREENSHOT"]).resolve()))

    urls = requested_urls(browser)
    assert any(url.startswith(f"{nexus_server.origin}/static/graphiql/") for url in urls)
    leaving = [
        url
        for url in urls
        if urlsplit(url).scheme != "data" and urlsplit(url).hostname != "127.0.0.1"
    ]
    assert leaving == [], f"requests left 127.0.0.1: {leaving}"
    errors = [
        entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"
    ]
    assert errors == [], f"the page logged errors: {errors}"


def test_signing_in_sends_the_token_and_the_headers_editor_overrides_it(browser, nexus_server):
    register = json.loads((OPERATIONS_DIR / "05-register.variables.json").read_text())
    registered = nexus_server.post(
        "mutation ($input: RegisterInput!) { register(input: $input) { errors { message } } }",
        register,
    )
    assert registered["data"]["register"]["errors"] == []
    open_graphiql(browser, nexus_server)

    switch_to_tab(browser, "SignIn")
    signed_in = run_and_read(browser, '"token"')
    switch_to_tab(browser, "Me")
    me = run_and_read(browser, '"me"')

    assert signed_in["data"]["tokenAuth"]["token"]
    assert me["data"]["me"]["username"] == register["input"]["username"]

    browser.find_element(By.XPATH, "//button[.='Headers']").click()
    browser.execute_script(
        "window.nexusGraphiQL.setText('headers', arguments[0])",
        '{"Authorization": "JWT not-a-token"}',
    )
    refused = run_and_read(browser, "UNAUTHENTICATED")
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_the_examples_panel_reopens_a_closed_example(browser, nexus_server):
    open_graphiql(browser, nexus_server)
    switch_to_tab(browser, "Me")  # a tab's close button shows when it is active
    browser.find_element(By.CSS_SELECTOR, ".graphiql-tab-active .graphiql-tab-close").click()
    assert "Me" not in [t.text for t in browser.find_elements(By.CSS_SELECTOR, ".graphiql-tab")]

    browser.find_element(By.CSS_SELECTOR, "[aria-label='Show Examples']").click()
    browser.find_element(By.XPATH, "//button[contains(@class, 'nexus-example')][.='Me']").click()

    WebDriverWait(browser, 10).until(
        lambda d: "Me" in [t.text for t in d.find_elements(By.CSS_SELECTOR, ".graphiql-tab")]
    )
    me = run_and_read(browser, '"me"')
    assert me == {"data": {"me": None}}


def websocket_problem(server) -> str | None:
    """Why the server cannot take a graphql-transport-ws subscription; None if it can."""
    url = "ws" + server.graphql_url.removeprefix("http")
    try:
        connection = websocket.create_connection(
            url, subprotocols=["graphql-transport-ws"], timeout=5
        )
    except (OSError, websocket.WebSocketException) as error:
        return f"no WebSocket endpoint at {url} ({str(error).split(' -+-+- ')[0]})"
    try:
        connection.send(json.dumps({"type": "connection_init", "payload": {}}))
        answer = json.loads(connection.recv())
    except (OSError, ValueError, websocket.WebSocketException) as error:
        return f"{url} did not acknowledge connection_init ({error})"
    finally:
        connection.close()
    if answer.get("type") != "connection_ack":
        return f"{url} answered connection_init with {answer}"
    return None


def websocket_frames(driver, frames: dict) -> dict:
    """The page's WebSocket text frames so far, parsed, into frames["sent"/"received"].

    From Chromium's performance log, whose entries each get_log call hands over once."""
    directions = {
        "Network.webSocketFrameSent": "sent",
        "Network.webSocketFrameReceived": "received",
    }
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        direction = directions.get(message["method"])
        if direction is None:
            continue
        with contextlib.suppress(KeyError, ValueError):  # not a JSON text frame
            frames[direction].append(json.loads(message["params"]["response"]["payloadData"]))
    return frames


def of_type(messages: list, kind: str) -> list:
    return [m for m in messages if isinstance(m, dict) and m.get("type") == kind]


def test_graphiql_runs_a_subscription_and_shows_its_event(browser, nexus_server):
    # Not a tool outside the venv: daphne (first in INSTALLED_APPS) makes runserver serve the
    # ASGI app, WebSockets included. Without the endpoint the test fails, never skips.
    problem = websocket_problem(nexus_server)
    assert problem is None, f"subscriptions are not served: {problem}\n{nexus_server.log_tail()}"
    challenge = nexus_server.post("{ challenges(first: 1) { edges { node { id } } } }")
    challenge_id = challenge["data"]["challenges"]["edges"][0]["node"]["id"]
    name = f"live{uuid.uuid4().hex[:8]}"
    registered = nexus_server.post(
        "mutation ($input: RegisterInput!) "
        "{ register(input: $input) { token errors { message } } }",
        {
            "input": {
                "username": name,
                "email": f"{name}@example.com",
                "password": "a long passphrase",
            }
        },
    )["data"]["register"]
    assert registered["errors"] == []
    open_graphiql(browser, nexus_server)

    browser.find_element(By.CSS_SELECTOR, ".graphiql-tab-add").click()
    subscription = (
        f'subscription {{ solutionAdded(challengeId: "{challenge_id}") '
        "{ id body author { username } } }"
    )
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script("return window.nexusGraphiQL.text('query')") == ""
    )
    # Run straight after the edit, as Ctrl+Enter after typing does: within the editor's 100 ms
    # debounce, before GraphiQL has parsed the new text (the fetcher must route by the text).
    browser.execute_script(
        "window.nexusGraphiQL.setText('query', arguments[0]);"
        "document.querySelector('.graphiql-execute-button').click();",
        subscription,
    )

    # Over the WebSocket, not HTTP: the page's socket is acknowledged and sends the subscribe.
    frames = {"sent": [], "received": []}
    try:
        WebDriverWait(browser, 10, poll_frequency=0.1).until(
            lambda d: (
                of_type(websocket_frames(d, frames)["received"], "connection_ack")
                and of_type(frames["sent"], "subscribe")
            )
        )
    except TimeoutException:
        shown = browser.execute_script(RESPONSE)
        raise AssertionError(
            f"no subscription over the WebSocket; frames: {frames}; the response shows: {shown}"
        ) from None
    (subscribe,) = of_type(frames["sent"], "subscribe")
    assert "solutionAdded" in subscribe["payload"]["query"]

    # graphql-transport-ws has no "subscribed" message: the server joins the event's group a
    # moment after the subscribe frame. An event published before that is not this socket's,
    # so submit again (a new solution each time) until one shows, each wait bounded.
    bodies = []
    for attempt in range(5):
        body = f"An answer that arrives live ({name}, {attempt})."
        submitted = nexus_server.post(
            "mutation ($input: SubmitSolutionInput!) "
            "{ submitSolution(input: $input) { errors { message } } }",
            {"input": {"challengeId": challenge_id, "body": body}},
            token=registered["token"],
        )
        assert submitted["data"]["submitSolution"]["errors"] == []
        bodies.append(body)
        try:
            WebDriverWait(browser, 3, poll_frequency=0.1).until(
                lambda d: name in (d.execute_script(RESPONSE) or "")
            )
            break
        except TimeoutException:
            continue
    else:
        shown = browser.execute_script(RESPONSE)
        raise AssertionError(
            f"no event in the response after {len(bodies)} solutions; it shows: {shown}\n"
            f"{nexus_server.log_tail()}"
        )
    event = json.loads(browser.execute_script(RESPONSE))
    assert event["data"]["solutionAdded"]["body"] in bodies
    assert event["data"]["solutionAdded"]["author"] == {"username": name}


def test_the_explorer_builds_a_query_in_the_active_tab(browser, nexus_server):
    open_graphiql(browser, nexus_server)
    browser.find_element(By.CSS_SELECTOR, ".graphiql-tab-add").click()
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script("return window.nexusGraphiQL.text('query')") == ""
    )

    browser.find_element(By.CSS_SELECTOR, "[aria-label='Show GraphiQL Explorer']").click()
    field = WebDriverWait(browser, 30).until(
        lambda d: d.find_element(
            By.XPATH, "//div[contains(@class, 'graphiql-explorer-root')]//span[.='hubDocument']"
        )
    )
    field.click()

    WebDriverWait(browser, 10).until(
        lambda d: "hubDocument" in d.execute_script("return window.nexusGraphiQL.text('query')")
    )
    assert run_and_read(browser, '"hubDocument"')["data"]["hubDocument"].startswith("#")
