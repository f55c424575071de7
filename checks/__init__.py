"""The built-in checks, one module per theme of the catalog (installed as ``cfncheck.checks``)."""
