"""An OIDC identity matched to its users-file entry: by issuer + `sub` once bound, by email or login name once.

The first sign-in of an entry finds it as before (one entry whose username or email equals the verified email,
`preferred_username` or `upn`) and binds it to the identity's issuer (`iss`) and subject (`sub`), written into
the entry. From then on the entry is the binding's only: an identity with the same email but another subject
(a re-created account at the provider, a second provider, a reused address) is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from analytics.access.users import User, UsersError, bind_oidc, load_users


@dataclass(frozen=True)
class Match:
    user: User | None
    bound: bool = False  # this sign-in bound the entry
    reason: str | None = None  # refused: why (for the audit trail)


def identities(claims: Mapping) -> list[str]:
    """The claims an unbound entry is found by: the email (unless the provider says it is unverified) and the
    login name (preferred_username: Keycloak, Azure AD; upn: ADFS). Never the display name, which is not unique
    and which some providers let users edit."""
    found = []
    if claims.get("email") and str(claims.get("email_verified", True)).lower() != "false":
        found.append(str(claims["email"]))
    for claim in ("preferred_username", "upn"):
        if claims.get(claim):
            found.append(str(claims[claim]))
    return [f.strip() for f in found if f.strip()]


def match_identity(path: Path | str, claims: Mapping) -> Match:
    """The user of the users file at `path` that the identity `claims` signs in as; binds it at first use.

    Raises UsersFileError when the file is broken."""
    issuer, subject = str(claims.get("iss") or "").strip(), str(claims.get("sub") or "").strip()
    if not issuer or not subject:
        return Match(None, reason="no issuer or subject")
    accounts = load_users(path).values()
    bound = [a for a in accounts if (a.oidc_issuer, a.oidc_subject) == (issuer, subject)]
    if len(bound) == 1:
        return Match(bound[0].user)
    wanted = {i.casefold() for i in identities(claims)}
    found = [a for a in accounts if {a.user.username.casefold(), (a.user.email or "").casefold()} & wanted]
    if len(found) != 1:
        return Match(None, reason="no entry" if not found else "several entries")
    account = found[0]
    if account.oidc_subject is not None:
        return Match(None, reason="entry bound to another identity")
    try:
        bind_oidc(path, account.user.username, issuer, subject)
    except UsersError as error:  # removed or bound by another process meanwhile
        return Match(None, reason=str(error))
    return Match(account.user, bound=True)
