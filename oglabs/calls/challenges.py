"""The regional challenges named in the 2019 call (sections 1 and 2), seeded per call.

Keys are stable identifiers (proposals refer to them); labels are the German wording shown to
applicants. Pure data: no Django.
"""

from __future__ import annotations

DEFAULT_CHALLENGES: tuple[tuple[str, str], ...] = (
    ("strukturwandel", "Bewältigung des regionalen Strukturwandels"),
    ("daseinsvorsorge", "Sicherung der sozialen Daseinsvorsorge"),
    ("umweltkonflikte", "Umgang mit regionalen und kommunalen Konflikten bei Umweltthemen"),
    ("infrastruktur", "Infrastrukturplanung"),
    ("bauprojekte", "Bauprojekte"),
    ("digitalisierung", "Digitalisierung"),
    ("nachhaltigkeitsziele", "Erreichung der Nachhaltigkeitsziele"),
    ("zusammenhalt", "Stärkung des gesellschaftlichen Zusammenhalts"),
    ("demokratiefeindliche-tendenzen", "Umgang mit demokratiefeindlichen Tendenzen"),
    ("demografischer-wandel", "Demografischer Wandel"),
    ("migration", "Migration"),
    ("klimawandel", "Klimawandel"),
)
