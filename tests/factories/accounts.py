"""Factories for users: unsurprising defaults, one per role."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

from oglabs.accounts.models import Role, User

PASSWORD = "korrekt-Pferd-Batterie-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    role = Role.APPLICANT
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class StaffFactory(UserFactory):
    role = Role.STAFF


class JurorFactory(UserFactory):
    role = Role.JUROR


class AdminFactory(UserFactory):
    role = Role.ADMIN
