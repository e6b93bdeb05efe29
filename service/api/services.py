"""The app's shared services, for API modules not yet moved to ``service.app_services`` (the
lead's merge rewrites their imports; then this module goes)."""

from service.app_services import Services, current_audit, ledger, services

__all__ = ["Services", "current_audit", "ledger", "services"]
