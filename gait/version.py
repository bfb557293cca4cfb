"""The version of gait, in a module of its own so that any module can name it without importing
the package's public API (``gait/__init__.py`` imports the readers: :func:`gait.load`)."""

__version__ = "0.1.0"
