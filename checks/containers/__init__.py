"""Containers: ECR repositories, ECS task definitions and services (catalog section 3.14)."""
