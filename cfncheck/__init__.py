"""cfncheck: a static analyzer for AWS CloudFormation templates."""

__version__ = "0.1.0"
