from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "apps.audit"
    label = "audit"
    verbose_name = "Dashboard actions"

    def ready(self) -> None:
        from axes.signals import handle_user_login_failed, user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from apps.audit import chain, receivers
        from apps.core import hashchain
        from apps.core.exports import export_ended

        export_ended.connect(receivers.export_ended, dispatch_uid="audit")
        user_logged_in.connect(receivers.signed_in, dispatch_uid="audit")
        user_logged_out.connect(receivers.signed_out, dispatch_uid="audit")
        # Ahead of axes' own receiver, which may lock and send user_locked_out: the failure
        # is recorded before the lockout it causes.
        axes_receiver = user_login_failed.disconnect(handle_user_login_failed)
        user_login_failed.connect(receivers.sign_in_failed, dispatch_uid="audit")
        if axes_receiver:
            user_login_failed.connect(handle_user_login_failed)
        user_locked_out.connect(receivers.locked_out, dispatch_uid="audit")
        hashchain.register("audit", chain.chain_reports)
