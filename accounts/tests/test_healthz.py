from unittest import mock

from django.db import OperationalError
from django.urls import reverse


def test_healthz_says_ok_when_the_database_answers(client, db):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.content == b"ok"


def test_healthz_is_503_when_the_database_does_not_answer(client, db):
    with mock.patch(
        "jakpreneur.views.connection.cursor",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
