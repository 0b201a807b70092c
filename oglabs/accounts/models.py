"""Users and their roles."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Antragstellende Kommune")
    STAFF = "staff", _("Programmteam")
    JUROR = "juror", _("Jury")
    ADMIN = "admin", _("Administration")


#: Roles that may only act after a second factor (TOTP) was used at login.
PRIVILEGED_ROLES = frozenset({Role.STAFF, Role.JUROR, Role.ADMIN})


class EmailUserManager(UserManager["User"]):
    """Users log in with their e-mail address; there is no user name."""

    use_in_migrations = True

    def _create_user_email(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(  # type: ignore[override]  # e-mail instead of username
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user_email(email, password, **extra)

    def create_superuser(  # type: ignore[override]  # e-mail instead of username
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("role", Role.ADMIN)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user_email(email, password, **extra)


class User(AbstractUser):
    """A person who logs in. Identified by e-mail; personal data, never published."""

    username = None  # type: ignore[assignment]  # e-mail is the login
    email = models.EmailField(_("E-Mail-Adresse"), unique=True)
    role = models.CharField(_("Rolle"), max_length=16, choices=Role.choices, default=Role.APPLICANT)
    #: An applicant contact speaks for one municipality (official key, AGS); the consortium
    #: membership is kept by the proposals app.
    municipality = models.ForeignKey(
        "places.Municipality",
        verbose_name=_("Kommune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
    )
    #: Organisation shown for jurors in aggregate only (e.g. "Deutscher Städtetag").
    organisation = models.CharField(_("Organisation"), max_length=200, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = EmailUserManager()  # type: ignore[misc]  # e-mail based manager replaces the base one

    class Meta:
        verbose_name = _("Nutzer:in")
        verbose_name_plural = _("Nutzer:innen")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_privileged(self) -> bool:
        return self.role in PRIVILEGED_ROLES
