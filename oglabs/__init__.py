#: The release of oglabs (the same as ``[project] version`` in pyproject.toml; a test keeps them equal).
__version__ = "0.1.0"
