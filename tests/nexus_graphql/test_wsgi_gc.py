"""nexus_graphql.wsgi collects a request's cyclic garbage once its response is sent."""

import gc
import weakref

import pytest

from nexus_graphql import wsgi


class Node:
    pass


@pytest.fixture
def cyclic_app(monkeypatch):
    """A Django stand-in whose request leaves a reference cycle, as Django's request does."""
    refs = []

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        node = Node()
        node.self = node
        refs.append(weakref.ref(node))
        return [b"ok"]

    monkeypatch.setattr(wsgi, "_django_application", app)
    was_enabled = gc.isenabled()
    gc.disable()  # no automatic collection may free the cycle for the hook
    yield refs
    if was_enabled:
        gc.enable()


def _call(environ=None):
    return wsgi.application(environ or {}, lambda status, headers: None)


def test_the_cycle_is_freed_when_the_server_closes_the_response(monkeypatch, cyclic_app):
    monkeypatch.setattr(wsgi, "_collect_after_response", True)
    body = _call()
    assert b"".join(body) == b"ok"
    assert cyclic_app[0]() is not None  # alive while the response is being sent
    body.close()
    assert cyclic_app[0]() is None


def test_turned_off_the_cycle_waits_for_the_threshold(monkeypatch, cyclic_app):
    monkeypatch.setattr(wsgi, "_collect_after_response", False)
    body = _call()
    assert body == [b"ok"]
    assert cyclic_app[0]() is not None


def test_a_file_response_keeps_the_servers_file_wrapper(monkeypatch, cyclic_app):
    class FileWrapper(list):
        pass

    monkeypatch.setattr(wsgi, "_collect_after_response", True)
    monkeypatch.setattr(
        wsgi, "_django_application", lambda environ, start_response: FileWrapper([b"file"])
    )
    assert isinstance(_call({"wsgi.file_wrapper": FileWrapper}), FileWrapper)
