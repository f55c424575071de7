"""Shared analyses that checks build on: ports, CIDRs, policy documents, zones, secrets…"""
