"""A stage's custom domains, from context: the gateway's (`apiDomain`) and the portal's
(`portalDomain`). Prod answers at the domain itself, other stages at `<stage>.<domain>`. Each needs
an ACM certificate: imported by ARN (`apiCertificateArn` in the stage's region; `portalCertificateArn`
in us-east-1, CloudFront's; it must cover the stage's name, and DNS is then yours), or made and
DNS-validated in the Route 53 zone `hostedZoneId` + `hostedZoneName` (shared by both domains), which
then also gets the alias records. With both, the certificate is imported and the zone gets the
records."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_route53 as route53
from constructs import Construct

_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ANY_REGION = r"[a-z0-9-]+"


@dataclass(frozen=True)
class CustomDomain:
    KEY: ClassVar[str]
    CERTIFICATE_KEY: ClassVar[str]
    CERTIFICATE_REGION: ClassVar[str]  # a regular expression
    CERTIFICATE_WHERE: ClassVar[str]  # the same in words
    EXAMPLE: ClassVar[str]

    name: str
    certificate_arn: str | None = None
    zone_id: str | None = None
    zone_name: str | None = None

    @classmethod
    def from_context(cls, node: Any, stage: str) -> Self | None:
        domain = str(node.try_get_context(cls.KEY) or "").lower().strip(".")
        certificate = node.try_get_context(cls.CERTIFICATE_KEY) or None
        zone_id, zone_name = node.try_get_context("hostedZoneId") or None, node.try_get_context("hostedZoneName")
        zone_name = str(zone_name).lower().strip(".") if zone_name else None
        if not domain:
            if certificate:
                raise ValueError(f'context "{cls.CERTIFICATE_KEY}" needs "{cls.KEY}"')
            return None
        in_zone = bool(zone_id and zone_name and (domain == zone_name or domain.endswith("." + zone_name)))
        problems = []
        if not _DOMAIN.match(domain):
            problems.append(f'"{cls.KEY}" must be a DNS name such as {cls.EXAMPLE}, got {domain!r}')
        pattern = rf"^arn:aws[a-z-]*:acm:{cls.CERTIFICATE_REGION}:\d{{12}}:certificate/[0-9a-f-]+$"
        if certificate and not re.match(pattern, str(certificate)):
            problems.append(f'"{cls.CERTIFICATE_KEY}" must be the ARN of an ACM certificate in {cls.CERTIFICATE_WHERE}')
        if not certificate and not in_zone:
            problems.append(
                f'give either "{cls.CERTIFICATE_KEY}" or "hostedZoneId" and "hostedZoneName" '
                f'of the zone "{cls.KEY}" is in'
            )
        if problems:
            raise ValueError(f"{cls.KEY} context: " + "; ".join(problems))
        name = domain if stage == "prod" else f"{stage}.{domain}"
        return cls(name, certificate, *((zone_id, zone_name) if in_zone else (None, None)))

    @property
    def certificate_made(self) -> bool:
        """Whether the app makes the certificate (in the zone) rather than importing it."""
        return self.certificate_arn is None

    def zone(self, scope: Construct) -> route53.IHostedZone | None:
        """The Route 53 zone the domain is in, when one was given (described, not looked up)."""
        if not (self.zone_id and self.zone_name):
            return None
        return route53.HostedZone.from_hosted_zone_attributes(
            scope, "Zone", hosted_zone_id=self.zone_id, zone_name=self.zone_name
        )

    def certificate(self, scope: Construct, construct_id: str, zone: route53.IHostedZone | None) -> acm.ICertificate:
        """The imported certificate, or one made for the stage's name and DNS-validated in `zone`."""
        if self.certificate_arn is not None:
            return acm.Certificate.from_certificate_arn(scope, construct_id, self.certificate_arn)
        if zone is None:
            raise ValueError(f"{self.name}: a certificate is made in the domain's zone, and none was given")
        return acm.Certificate(
            scope, construct_id, domain_name=self.name, validation=acm.CertificateValidation.from_dns(zone)
        )


class ApiDomain(CustomDomain):
    """The gateway's regional custom domain (stacks.api_stack)."""

    KEY = "apiDomain"
    CERTIFICATE_KEY = "apiCertificateArn"
    CERTIFICATE_REGION = _ANY_REGION
    CERTIFICATE_WHERE = "the stage's region"
    EXAMPLE = "api.example.com"


class PortalDomain(CustomDomain):
    """The portal's domain on its CloudFront distribution (stacks.web_stack); a certificate made for
    it is made by the edge stack, in us-east-1."""

    KEY = "portalDomain"
    CERTIFICATE_KEY = "portalCertificateArn"
    CERTIFICATE_REGION = "us-east-1"
    CERTIFICATE_WHERE = "us-east-1 (CloudFront's)"
    EXAMPLE = "portal.example.com"


def check_zone(node: Any) -> None:
    """A zone without a domain to put in it is a mistake worth naming."""
    if node.try_get_context("hostedZoneId") and not (
        node.try_get_context(ApiDomain.KEY) or node.try_get_context(PortalDomain.KEY)
    ):
        raise ValueError('context "hostedZoneId" needs "apiDomain" or "portalDomain" (the domains to put in the zone)')
