"""Renderers of a run's result, one module per output format."""
