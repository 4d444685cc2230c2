"""Every model is in the Django admin, in Chinese, and its pages open for bureau staff."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

APPS = ["core", "pairing", "reporting"]


def portal_models():
    return [
        m for m in apps.get_models() if m._meta.app_label in APPS and not m.__name__.startswith("Historical")
    ]


def test_every_model_is_registered():
    missing = [m.__name__ for m in portal_models() if m not in admin.site._registry]
    assert missing == []


@pytest.mark.parametrize("model", portal_models(), ids=lambda m: m.__name__)
def test_the_list_and_add_pages_open_in_chinese(users, model):
    bureau = users["bureau"]
    bureau.is_staff = True
    bureau.save()
    client = Client()
    client.force_login(bureau)
    info = (model._meta.app_label, model._meta.model_name)
    response = client.get(reverse("admin:{}_{}_changelist".format(*info)), {"q": "东莞"})
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()
    if admin.site._registry[model].has_add_permission(response.wsgi_request):
        assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200
