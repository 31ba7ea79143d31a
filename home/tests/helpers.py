"""What the home pages' tests share."""

from django.urls import reverse

JOGLO = "31.73.08.1005"


def page(client, name="home:kelurahan") -> str:
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()
