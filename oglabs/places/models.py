"""German Länder, Kreise and Gemeinden with their official keys (Gebietsstand 31.12.2019).

Source: Statistisches Bundesamt (Destatis), Gemeindeverzeichnis GV-ISys; see
``oglabs/places/data/PROVENANCE.md``. Keys are zero-padded strings, never numbers.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Urbanisation(models.IntegerChoices):
    """EU degree of urbanisation (DEGURBA) of a Gemeinde."""

    CITY = 1, _("dicht besiedelt")
    TOWN = 2, _("mittlere Besiedlungsdichte")
    RURAL = 3, _("gering besiedelt")


class State(models.Model):
    """A Land (Bundesland)."""

    ars = models.CharField(_("Regionalschlüssel"), max_length=2, primary_key=True)
    code = models.CharField(_("Kürzel"), max_length=2, unique=True)
    name = models.CharField(_("Name"), max_length=100)
    population = models.PositiveIntegerField(_("Bevölkerung"))
    area_km2 = models.DecimalField(_("Fläche (km²)"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("Land")
        verbose_name_plural = _("Länder")
        constraints = [
            models.CheckConstraint(condition=models.Q(ars__regex=r"^[0-9]{2}$"), name="state_ars_2_digits")
        ]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """A Kreis (Landkreis, Kreis, kreisfreie Stadt, Stadtkreis, Regionalverband)."""

    ars = models.CharField(_("Regionalschlüssel"), max_length=5, primary_key=True)
    state = models.ForeignKey(
        State, verbose_name=_("Land"), on_delete=models.PROTECT, related_name="districts"
    )
    name = models.CharField(_("Name"), max_length=200)
    kind = models.CharField(_("Art"), max_length=40)
    population = models.PositiveIntegerField(_("Bevölkerung"))
    area_km2 = models.DecimalField(_("Fläche (km²)"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("Kreis")
        verbose_name_plural = _("Kreise")
        constraints = [
            models.CheckConstraint(condition=models.Q(ars__regex=r"^[0-9]{5}$"), name="district_ars_5_digits")
        ]

    def __str__(self) -> str:
        return self.name


class MunicipalityKind(models.TextChoices):
    """The kind of local authority that may apply (Stadt, Gemeinde, Landkreis)."""

    CITY = "stadt", _("Stadt")
    MUNICIPALITY = "gemeinde", _("Gemeinde")
    COUNTY = "landkreis", _("Landkreis")


#: Official types of a Gemeinde that is its own Kreis (its 5-digit Kreis key identifies it, too).
DISTRICT_FREE_TYPES = ("Kreisfreie Stadt", "Stadtkreis")


class Municipality(models.Model):
    """A local authority that can apply: a Gemeinde or Stadt (with AGS) or a Kreis acting as one.

    ``ars`` is the 12-digit Regionalschlüssel for Gemeinden and the 5-digit key for Kreise;
    ``ags`` the 8-digit Gemeindeschlüssel (empty for Kreise).
    """

    ars = models.CharField(_("Regionalschlüssel"), max_length=12, primary_key=True)
    ags = models.CharField(_("Gemeindeschlüssel"), max_length=8, blank=True, db_index=True)
    name = models.CharField(_("Name"), max_length=200, db_index=True)
    #: Name folded for search by ``reference.fold_name``: lower case, umlauts and ß spelled out,
    #: suffix after a comma ("…, Stadt") dropped, punctuation turned into spaces.
    search_name = models.CharField(_("Suchname"), max_length=200, db_index=True)
    kind = models.CharField(_("Art"), max_length=16, choices=MunicipalityKind.choices)
    official_type = models.CharField(_("amtliche Bezeichnung"), max_length=60)
    state = models.ForeignKey(
        State, verbose_name=_("Land"), on_delete=models.PROTECT, related_name="municipalities"
    )
    district = models.ForeignKey(
        District, verbose_name=_("Kreis"), on_delete=models.PROTECT, related_name="municipalities"
    )
    population = models.PositiveIntegerField(_("Bevölkerung"))
    area_km2 = models.DecimalField(_("Fläche (km²)"), max_digits=10, decimal_places=2, null=True)
    urbanisation = models.PositiveSmallIntegerField(
        _("Grad der Verstädterung"), choices=Urbanisation.choices, null=True
    )
    postcode = models.CharField(_("PLZ Verwaltungssitz"), max_length=5, blank=True)
    #: Geographic centre (WGS84); for a Landkreis the population-weighted centre of its Gemeinden.
    longitude = models.FloatField(_("Längengrad"), null=True)
    latitude = models.FloatField(_("Breitengrad"), null=True)

    class Meta:
        verbose_name = _("Kommune")
        verbose_name_plural = _("Kommunen")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ars__regex=r"^([0-9]{5}|[0-9]{12})$"), name="municipality_ars_format"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in MunicipalityKind]),
                name="municipality_kind_valid",
            ),
            # A Landkreis has a 5-digit key and no AGS; a Gemeinde or Stadt a 12-digit ARS and 8-digit AGS.
            models.CheckConstraint(
                condition=(
                    models.Q(kind=MunicipalityKind.COUNTY, ags="", ars__regex=r"^[0-9]{5}$")
                    | (
                        ~models.Q(kind=MunicipalityKind.COUNTY)
                        & models.Q(ags__regex=r"^[0-9]{8}$", ars__regex=r"^[0-9]{12}$")
                    )
                ),
                name="municipality_keys_match_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_district_free(self) -> bool:
        """A kreisfreie Stadt or Stadtkreis: the Gemeinde is its own Kreis."""
        return self.official_type in DISTRICT_FREE_TYPES
