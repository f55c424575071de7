"""Compute: EC2 Auto Scaling groups and their launch settings, load balancer generations
(catalog section 3.12)."""
