"""WSGI entry point (gunicorn oglabs.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oglabs.settings")
application = get_wsgi_application()
