"""Small helpers shared by the tests."""

from django.test import Client

# Every signed-in role of the permission matrices, as named by the `users` fixture.
ROLES = [
    "bureau",
    "commander",
    "liaison",
    "assisting_liaison",
    "other_liaison",
    "town_liaison",
    "other_town_liaison",
    "no_role",
]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
