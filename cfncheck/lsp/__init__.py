"""The language server (``cfncheck lsp``): cfncheck in the editor, on the unsaved text as it is typed.

- ``buffer``: what the server knows of a buffer — the one run pipeline (configuration, session,
  engine, outcome) on its unsaved text, with the workspace's other templates as a partial run's
  context and the ``.cfncheck.yaml`` found from the file's folder upward.
- ``suppression``: the text a quick fix inserts to suppress a finding in the template's Metadata.
- ``server``: the protocol, on pygls (the ``lsp`` extra): diagnostics on open and on change
  (debounced), hover with the check's documentation, the quick fix.
"""
