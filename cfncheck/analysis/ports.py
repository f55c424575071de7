"""What traffic a security-group rule lets through: a protocol and, where it has them, a port interval.

EC2 semantics, from the ``AWS::EC2::SecurityGroupIngress`` reference: ``IpProtocol`` is a name
(``tcp``, ``udp``, ``icmp``, ``icmpv6``) or an IANA number; ``-1`` means every protocol. With
``-1`` or a protocol number other than TCP/UDP/ICMP/ICMPv6, every port is open whatever
``FromPort``/``ToPort`` say. For ICMP the two fields are the ICMP type and code (``-1`` = all),
not ports; ICMPv6 without them allows every type and code.
"""

from __future__ import annotations

from typing import NamedTuple

from ..values import ABSENT, as_number

ALL, TCP, UDP, ICMP, ICMPV6 = "all", "tcp", "udp", "icmp", "icmpv6"

_NUMBERS = {1: ICMP, 6: TCP, 17: UDP, 58: ICMPV6}
_NAMES = {TCP, UDP, ICMP, ICMPV6}
_PORTED = {TCP, UDP}
LOWEST, HIGHEST = 0, 65535


def protocol(value) -> str | None:
    """The canonical protocol of an ``IpProtocol`` value: ``all``, ``tcp``, ``udp``, ``icmp``,
    ``icmpv6``, or another protocol's number as text; None when it is not known or not valid."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _NAMES:
            return text
        if text == "all":  # a hand-written alias some tools accept; EC2 reads it as -1
            return ALL
        value = as_number(text)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    if value == -1:
        return ALL
    if 0 <= value <= 255:
        return _NUMBERS.get(value, str(value))
    return None


class PortRange(NamedTuple):
    """An inclusive interval of TCP or UDP ports."""

    start: int
    end: int

    def covers(self, port: int) -> bool:
        return self.start <= port <= self.end

    @property
    def is_all(self) -> bool:
        return self.start <= 1 and self.end >= HIGHEST

    def __str__(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}-{self.end}"


class Traffic(NamedTuple):
    """A protocol and, for TCP and UDP, the ports; ``ports`` is None where ports do not apply."""

    protocol: str
    ports: PortRange | None = None

    def covers(self, protocol: str, port: int | None = None) -> bool:
        """Whether this traffic includes ``protocol`` (on ``port`` for TCP and UDP)."""
        if self.protocol == ALL:
            return True
        if self.protocol != protocol:
            return False
        return port is None or self.ports is None or self.ports.covers(port)

    @property
    def is_all(self) -> bool:
        """Every protocol, or every port of TCP or UDP: the rule opens everything that matters."""
        return self.protocol == ALL or (self.ports is not None and self.ports.is_all)

    def __str__(self) -> str:
        if self.protocol == ALL:
            return "all traffic"
        if self.ports is None:
            return self.protocol.upper() if self.protocol in _NAMES else f"protocol {self.protocol}"
        return f"{self.protocol.upper()} {'port' if self.ports.start == self.ports.end else 'ports'} {self.ports}"


def traffic(ip_protocol, from_port=ABSENT, to_port=ABSENT) -> Traffic | None:
    """The traffic of a rule's ``IpProtocol``, ``FromPort`` and ``ToPort`` (resolved values);
    None when a value it depends on is not known or not valid (that is SG006's business)."""
    name = protocol(ip_protocol)
    if name is None:
        return None
    if name not in _PORTED:
        return Traffic(name)
    start, end = _port(from_port), _port(to_port)
    if start is None or end is None:
        return None
    if start == -1 or end == -1:  # -1 on a TCP/UDP rule is read as the whole range
        return Traffic(name, PortRange(LOWEST, HIGHEST))
    if not (LOWEST <= start <= end <= HIGHEST):
        return None
    return Traffic(name, PortRange(start, end))


def _port(value) -> int | None:
    number = as_number(value)
    return number if isinstance(number, int) and not isinstance(number, bool) else None
