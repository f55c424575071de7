"""IPv4 and IPv6 address ranges as CloudFormation properties give them.

EC2 keeps only the network part of a CIDR, so ``0.0.0.1/0`` opens the same world as
``0.0.0.0/0``: ranges are parsed with their host bits cleared. A value that is not a literal
CIDR (a prefix list id, an unresolved reference) is not a range and is never called the world.
"""

from __future__ import annotations

import ipaddress

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_PRIVATE = tuple(
    ipaddress.ip_network(block)
    for block in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",  # RFC 1918
        "100.64.0.0/10",  # RFC 6598 shared address space (carrier-grade NAT)
        "169.254.0.0/16",  # link-local
        "127.0.0.0/8",
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "::1/128",
    )
)


def parse(value) -> Network | None:
    """The network a CIDR string names, host bits cleared; None for anything else."""
    if not isinstance(value, str) or "/" not in value:
        return None
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def is_world(value) -> bool:
    """A CIDR covering every address of its family: ``0.0.0.0/0`` or ``::/0`` (host bits ignored)."""
    network = parse(value)
    return network is not None and network.prefixlen == 0


def is_private(value) -> bool:
    """A CIDR wholly inside private, shared (100.64.0.0/10), loopback or link-local space."""
    network = parse(value)
    return network is not None and any(
        network.version == block.version and network.subnet_of(block) for block in _PRIVATE
    )
