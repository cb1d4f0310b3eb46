from django.apps import AppConfig


class AuthtenantsConfig(AppConfig):
    name = "apps.authtenants"
    label = "authtenants"
