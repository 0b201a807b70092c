import pytest
from django.urls import reverse

from tests.factories.accounts import PASSWORD, StaffFactory


@pytest.mark.django_db
def test_home_is_public(client):
    response = client.get(reverse("public:home"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_portal_redirects_anonymous_to_login(client):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_backoffice_refuses_staff_without_second_factor(client):
    staff = StaffFactory()
    assert client.login(email=staff.email, password=PASSWORD)
    response = client.get(reverse("backoffice:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
