"""Where contract tests may send requests, and the connection that keeps to it.

A test run sends requests a team asked for to a URL a team typed in, from inside the portal's
network: without care it is a way to reach the portal's own neighbours (the cloud metadata
service, a private database's admin port). So every request is checked where it is sent:

- the host is resolved once per request, every address it resolves to is checked, and the
  connection is opened to the checked address (a DNS answer that changes between the check and
  the connection - rebinding - changes nothing);
- loopback, link-local, private, shared, reserved and cloud-metadata addresses are refused (in
  AWS); locally, where the services under test run on this machine, loopback is allowed;
- redirects are followed by the session only through this same check, at most `MAX_REDIRECTS`;
- a response body larger than the cap is refused, not read into memory.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

MAX_REDIRECTS = 3
# Addresses that serve instance credentials or metadata in the clouds the portal could run in:
# AWS (IPv4 and the Nitro IPv6 endpoint, ECS task metadata), Alibaba; GCP and Azure use 169.254.169.254.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "169.254.170.2", "169.254.170.23", "fd00:ec2::254", "100.100.100.200")
)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


class RefusedTarget(requests.exceptions.ConnectionError):
    """The request's host is an address contract tests may not reach (or cannot be resolved)."""


class ResponseTooLarge(requests.exceptions.RequestException):
    """The response body is larger than a test run reads."""


def refusal(address: Address, *, allow_loopback: bool) -> str | None:
    """Why contract tests may not reach `address`, in words; None when they may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_loopback:
        return None if allow_loopback else "a loopback address"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private:
        return "a private address"
    if address.is_reserved or not address.is_global:
        return "a reserved address"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, by the system resolver (one lookup)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise RefusedTarget(f"{host} does not resolve ({error})") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class TargetPolicy:
    """Which addresses a run may reach: all public ones, plus loopback where `allow_loopback`."""

    allow_loopback: bool = False
    resolver: Resolver = system_resolver
    who: str = "contract tests"  # who is refused, in the words of a refusal

    def address_for(self, host: str, port: int) -> str:
        """The one address to connect to for `host`: resolved once, every answer checked."""
        try:
            literal: Address | None = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            literal = None
        answers = [str(literal)] if literal is not None else self.resolver(host, port)
        if not answers:
            raise RefusedTarget(f"{host} does not resolve to any address")
        for answer in answers:
            why = refusal(ipaddress.ip_address(answer.split("%")[0]), allow_loopback=self.allow_loopback)
            if why is not None:
                shown = host if literal is not None else f"{host} ({answer})"
                raise RefusedTarget(f"{shown} is {why}; {self.who} do not reach it")
        return answers[0]

    def check_url(self, url: str) -> str | None:
        """Why a run may not target `url`, in words; None when it may (its host resolved now)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return "it is not an http(s) URL with a host"
        try:
            self.address_for(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
        except RefusedTarget as error:
            return str(error)
        return None


class PinnedAdapter(HTTPAdapter):
    """An adapter that connects to the address `policy` checked for each request's host, and
    refuses bodies over `max_body_bytes`. The Host header, TLS SNI and certificate checks keep
    the name the request was made for."""

    def __init__(self, policy: TargetPolicy, max_body_bytes: int, *, cut_long_bodies: bool = False) -> None:
        self._policy = policy
        self._max_body_bytes = max_body_bytes
        self._cut = cut_long_bodies
        super().__init__(pool_connections=4, pool_maxsize=8, max_retries=0)

    def get_connection_with_tls_context(
        self,
        request: requests.PreparedRequest,
        verify: bool | str | None,
        proxies: Mapping[str, str] | None = None,
        cert: tuple[str, str] | str | None = None,
    ) -> Any:
        parts = urlsplit(str(request.url))
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise RefusedTarget(f"{request.url} is not an http(s) URL")
        port = parts.port or (443 if scheme == "https" else 80)
        address = self._policy.address_for(parts.hostname, port)
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(
            request, True if verify is None else verify, cert
        )
        host_params["host"] = address
        extra: dict[str, Any] = dict(pool_kwargs)
        if scheme == "https":
            extra["server_hostname"] = parts.hostname
            extra["assert_hostname"] = parts.hostname
        return self.poolmanager.connection_from_host(**host_params, pool_kwargs=extra)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        netloc = urlsplit(str(request.url)).netloc.rsplit("@", 1)[-1]
        request.headers["Host"] = netloc
        kwargs["stream"] = True
        response = super().send(request, *args, **kwargs)
        declared = response.headers.get("Content-Length", "")
        if self._cut:  # what the caller reads of a body is its start; the rest is not waited for
            response._content = response.raw.read(self._max_body_bytes, decode_content=True)
            response._content_consumed = True  # type: ignore[attr-defined]
            response.close()
            return response
        if declared.isdigit() and int(declared) > self._max_body_bytes:
            response.close()
            raise ResponseTooLarge(f"the response declares {declared} bytes; a test reads {self._max_body_bytes}")
        body = response.raw.read(self._max_body_bytes + 1, decode_content=True)
        response.close()
        if len(body) > self._max_body_bytes:
            raise ResponseTooLarge(f"the response body is larger than the {self._max_body_bytes} bytes a test reads")
        response._content = body
        response._content_consumed = True  # type: ignore[attr-defined]
        return response


def pinned_session(
    policy: TargetPolicy, *, max_body_bytes: int, cut_long_bodies: bool = False, max_redirects: int = MAX_REDIRECTS
) -> requests.Session:
    """A session whose every request (redirects included) goes through `PinnedAdapter`."""
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: the checked address is the one reached
    session.max_redirects = max_redirects
    adapter = PinnedAdapter(policy, max_body_bytes, cut_long_bodies=cut_long_bodies)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
