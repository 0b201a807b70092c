"""The one way a view opts out of login: ``@public``."""

from django.contrib.auth.decorators import login_not_required

#: Marks a view as reachable without login. Every other view checks a predicate from a
#: ``rules.py`` (deny by default: ``LoginRequiredMiddleware`` is on).
public = login_not_required
