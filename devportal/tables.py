"""The single table's shape: keys, indexes and the TTL attribute. A leaf, read by the CDK data
stack, the local provisioning and the adapters alike, so the three cannot disagree.

Key layout (each adapter keeps to its own prefixes):
  SUBMISSION#<id>          / SUBMISSION     a submission and its outcome
  API#<apiId>              / VERSION#<v>    an immutable, active version
  DOC#<apiId>              / VERSION#<v>    where its documentation page lives
  API#<apiId>              / META           the catalog entry (GSI1: CATALOG, GSI2: OWNER#<team>)
  USER#<sub>               / PROFILE        a user's profile (GSI1: USERS / email, GSI2: TEAM#<team> / email)
  KEY#<sha256>             / KEY            a service API key (GSI1: APIKEY#<id>, GSI2: KEYS#<team>)
  LOGINFAIL#<sha256>       / W#<window>...  failed sign-in counters (expire by TTL)
  DEVICE#<sha256>          / DEVICE         a device token that once signed in (expires by TTL)
  USAGE#<apiId>            / <scope>#H#<hour> an hour of usage at one scope (expires by TTL after retention)
  USAGE#<apiId>            / <scope>#D#<day>  a day of the API or a version, the merge of its hours
  USAGEAPPLIED#<sha256>    / APPLIED        a delivery's usage is counted in one API-day (expires by TTL)
  USAGE#<apiId>            / TRAFFIC        the API has traffic (GSI1: TRAFFIC / <apiId>)
  HEALTH#<apiId>           / STATE          the last hour its health was evaluated, its open alerts
  HEALTH#<apiId>           / THRESHOLDS     the owning team's health thresholds
  HEALTH#<apiId>           / ALERT#<hour>#<rule> one health alert, opened and closed (expires by TTL)
  RATING#<apiId>#<version> / READER#<sub>   a reader's vote on a version's docs
  REPORT#<apiId>           / DAY#<yyyy-mm-dd> an API's daily analytics report (expires by TTL)
  TESTS#<apiId>            / SETTINGS       the owning team's contract-test settings
  TEAM#<team>              / LINT#RULESET   the team's lint ruleset
"""

from __future__ import annotations

PARTITION_KEY, SORT_KEY = "PK", "SK"
GSI_CATALOG = "GSI1"
GSI_OWNER = "GSI2"
INDEXES: dict[str, tuple[str, str]] = {GSI_CATALOG: ("GSI1PK", "GSI1SK"), GSI_OWNER: ("GSI2PK", "GSI2SK")}
# Items that matter for a while only (failed sign-in windows) carry their expiry here, in epoch seconds.
TTL_ATTRIBUTE = "expiresAt"
