"""The deploy files serve subscriptions: a daphne `ws` Deployment beside gunicorn.

Read from deploy/k8s and deploy/docker-compose.yml (what kustomize and Compose apply), then
the Deployment's own command is started as it is written there: its probes answer on its
port, a graphql-transport-ws client is acknowledged, and SIGTERM with a socket open ends the
server within the pod's grace period (after its preStop pause).

With REDIS_URL set, daphne gets it as CHANNEL_REDIS_URL (the production Redis channel layer)
and /readyz must report the layer `ok`; without it, the in-process layer.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.conf import settings

K8S = Path(settings.BASE_DIR) / "deploy" / "k8s"
COMPOSE = Path(settings.BASE_DIR) / "deploy" / "docker-compose.yml"
APPLICATION = "nexus_graphql.asgi:application"
START_SECONDS = 60


def manifests() -> dict[tuple[str, str], dict]:
    """(kind, name) -> manifest, for every file kustomization.yaml applies."""
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    found = {}
    for resource in kustomization["resources"]:
        for document in yaml.safe_load_all((K8S / resource).read_text()):
            found[(document["kind"], document["metadata"]["name"])] = document
    return found


def container(deployment: dict) -> dict:
    (only,) = deployment["spec"]["template"]["spec"]["containers"]
    return only


def flag(command: list[str], name: str) -> str:
    (value,) = [part.split("=", 1)[1] for part in command if part.startswith(f"{name}=")]
    return value


@pytest.fixture(scope="module")
def applied():
    return manifests()


@pytest.fixture(scope="module")
def ws(applied):
    return applied[("Deployment", "nexus-ws")]


def test_the_ws_deployment_runs_daphne_on_the_asgi_application(ws):
    command = container(ws)["command"]
    assert command[0] == "daphne"
    assert command[-1] == APPLICATION
    assert "--proxy-headers" in command
    port = int(flag(command, "--port"))
    assert container(ws)["ports"] == [{"name": "http", "containerPort": port}]
    env = {item["name"]: item["value"] for item in container(ws)["env"]}
    assert env["PORT"] == str(port)  # the image's HEALTHCHECK
    assert "channel_layer" in env["READINESS_CHECKS"].split(",")
    # Idle sockets are pinged well within the ingress's timeouts; cleanup within the grace.
    assert int(flag(command, "--ping-interval")) < int(flag(command, "--ping-timeout"))
    spec = ws["spec"]["template"]["spec"]
    pre_stop = int(container(ws)["lifecycle"]["preStop"]["exec"]["command"][1])
    close = int(flag(command, "--application-close-timeout"))
    assert pre_stop + close < spec["terminationGracePeriodSeconds"]


def test_the_ws_deployment_is_configured_and_confined_like_web(applied, ws):
    web = applied[("Deployment", "nexus-web")]
    for key in ("image", "envFrom", "securityContext", "volumeMounts"):
        assert container(ws)[key] == container(web)[key], key
    for key in ("securityContext", "volumes"):
        assert ws["spec"]["template"]["spec"][key] == web["spec"]["template"]["spec"][key]
    probes = container(ws)
    assert probes["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert probes["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert probes["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert set(probes["resources"]) == {"requests", "limits"}
    assert ws["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_service_pdb_and_ingress_reach_the_ws_pods(applied, ws):
    pods = ws["spec"]["template"]["metadata"]["labels"]
    assert ws["spec"]["selector"]["matchLabels"] == pods
    service = applied[("Service", "nexus-ws")]
    assert service["spec"]["selector"] == pods
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    assert applied[("PodDisruptionBudget", "nexus-ws")]["spec"]["selector"]["matchLabels"] == pods

    ingress = applied[("Ingress", "nexus-ws")]
    annotations = ingress["metadata"]["annotations"]
    for timeout in ("proxy-read-timeout", "proxy-send-timeout"):
        seconds = int(annotations[f"nginx.ingress.kubernetes.io/{timeout}"])
        assert seconds > int(flag(container(ws)["command"], "--ping-timeout"))
    (rule,) = ingress["spec"]["rules"]
    (route,) = rule["http"]["paths"]
    assert route["path"] == "/graphql/"
    assert route["backend"]["service"] == {"name": "nexus-ws", "port": {"name": "http"}}
    # The host is served by the app (ALLOWED_HOSTS) and its certificate names it.
    config = applied[("ConfigMap", "nexus-config")]["data"]
    assert rule["host"] in config["ALLOWED_HOSTS"].split(",")
    assert rule["host"] in ingress["spec"]["tls"][0]["hosts"]
    # The API's own routes stay on gunicorn.
    api = applied[("Ingress", "nexus")]
    backends = {p["backend"]["service"]["name"] for p in api["spec"]["rules"][0]["http"]["paths"]}
    assert backends == {"nexus-web"}


def test_the_configmap_sets_the_channel_layer_and_the_socket_limits(applied):
    config = applied[("ConfigMap", "nexus-config")]["data"]
    assert config["CHANNEL_REDIS_URL"].startswith("redis://")
    for name in (
        "GRAPHQL_WS_INIT_TIMEOUT_SECONDS",
        "GRAPHQL_WS_MAX_SUBSCRIPTIONS",
        "GRAPHQL_WS_MAX_CONNECTIONS_PER_ADDRESS",
        "GRAPHQL_WS_LAYER_TIMEOUT_SECONDS",
    ):
        assert hasattr(settings, name), name  # a setting nexus_graphql.settings reads
        assert float(config[name]) > 0, name


def test_compose_runs_the_same_daphne_as_kubernetes(ws):
    compose = yaml.safe_load(COMPOSE.read_text())["services"]
    service = compose["ws"]
    proxy = {"--proxy-headers", "--proxy-headers-host=X-Real-IP"}
    assert service["command"] == [part for part in container(ws)["command"] if part not in proxy]
    port = flag(service["command"], "--port")
    assert service["environment"]["PORT"] == port
    assert service["ports"] == [f"${{WS_PORT:-{port}}}:{port}"]
    # Every process that publishes events reads the same channel layer as daphne.
    layers = {compose[name]["environment"]["CHANNEL_REDIS_URL"] for name in ("web", "worker", "ws")}
    assert len(layers) == 1


# --- The Deployment's command, run -------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def daphne(ws, tmp_path_factory):
    folder = tmp_path_factory.mktemp("daphne")
    port = free_port()
    command = [
        f"--port={port}" if part.startswith("--port=") else part
        for part in container(ws)["command"]
    ]
    # The console script of this virtualenv, bound to the loopback only.
    command = [
        str(Path(sys.executable).with_name("daphne")),
        *[part for part in command[1:] if not part.startswith("--bind=")],
    ]
    command.insert(1, "--bind=127.0.0.1")
    env = {
        **os.environ,
        **{item["name"]: item["value"] for item in container(ws)["env"]},
        "PORT": str(port),
        "DEBUG": "false",
        "SECRET_KEY": "test-only-secret-key-for-the-daphne-test-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "REDIS_URL": "",
        "CHANNEL_REDIS_URL": os.environ.get("REDIS_URL", ""),
        "CELERY_BROKER_URL": "",
    }
    log = folder / "daphne.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            assert process.poll() is None, f"daphne stopped:\n{log.read_text()}"
            try:
                if get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"daphne not up:\n{log.read_text()}"
            time.sleep(0.2)
        yield process, port, log
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_the_command_serves_probes_and_subscriptions_and_stops_within_the_grace(daphne, ws):
    websocket = pytest.importorskip("websocket")
    process, port, log = daphne

    assert get(f"http://127.0.0.1:{port}/healthz") == (200, {"status": "alive"})
    status, body = get(f"http://127.0.0.1:{port}/readyz")
    assert status == 200, body
    expected = "ok" if os.environ.get("REDIS_URL") else "in-process"
    assert body["checks"]["channel_layer"] == expected, body
    assert "broker" not in body["checks"]

    # As relayed by ingress-nginx: the client address comes from X-Real-IP.
    client = websocket.create_connection(
        f"ws://127.0.0.1:{port}/graphql/",
        subprotocols=["graphql-transport-ws"],
        header=["X-Real-IP: 203.0.113.9"],
        timeout=5,
    )
    try:
        assert client.subprotocol == "graphql-transport-ws"
        client.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(client.recv()) == {"type": "connection_ack"}
        client.send(json.dumps({"type": "ping"}))
        assert json.loads(client.recv()) == {"type": "pong"}

        # A rollout: SIGTERM after the preStop pause, with the socket still open.
        spec = ws["spec"]["template"]["spec"]
        pre_stop = int(container(ws)["lifecycle"]["preStop"]["exec"]["command"][1])
        started = time.monotonic()
        process.terminate()
        process.wait(timeout=spec["terminationGracePeriodSeconds"] - pre_stop)
        assert time.monotonic() - started < spec["terminationGracePeriodSeconds"] - pre_stop
        assert "203.0.113.9:0 - - " in log.read_text()  # daphne's access log: the client
        # The socket is closed (the client then reconnects to another pod).
        with pytest.raises((websocket.WebSocketConnectionClosedException, ConnectionError)):
            client.send(json.dumps({"type": "ping"}))
            client.recv()
    finally:
        client.close()
