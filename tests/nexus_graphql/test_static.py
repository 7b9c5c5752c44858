"""Static files in development: WhiteNoise serves them straight from the apps, no collectstatic.

(Production, with hashed names and collectstatic: tests/ops/test_gunicorn.py.)
"""

from django.test import Client


def test_an_apps_static_file_is_served_without_collecting():
    response = Client().get("/static/admin/css/base.css")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b"".join(response.streaming_content)


def test_a_missing_static_file_is_a_404():
    assert Client().get("/static/admin/css/no-such-file.css").status_code == 404
