"""People's accounts: membership in the log (``domain.person_account``), secrets beside it
(``service.accounts.secrets``), invitations, sign-in and lockout (``service.accounts.accounts``)."""

from service.accounts.accounts import Accounts, Invitation, SignIn, SignInOutcome

__all__ = ["Accounts", "Invitation", "SignIn", "SignInOutcome"]
