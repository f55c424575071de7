"""Configuration of data services: capacity, throughput and sizing (catalog section 3.15)."""
