"""The built-in checks (installed as ``cfncheck.checks``), one module or package per theme of the catalog.

A theme that spans several AWS services is a package with a module per service
(``encryption/s3.py``); one about a single subject stays one module (``network.py``), and the
template-wide checks are split by the part of the template they read (``template/conditions.py``).
What the modules of a theme share is in its ``__init__.py``."""
