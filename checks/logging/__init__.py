"""Access logs, flow logs, trails, log groups and execution logs (catalog section 3.11).

Logs that go to a bucket are followed to it where it is in the run
(:mod:`cfncheck.analysis.log_delivery`); a setting another resource provides counts as set: a
flow log for a VPC, a CloudWatch Logs delivery source for a distribution, a log group named
after a function.
"""
