"""Token authentication that loads the user's roles in the same query as the token.

DRF's `TokenAuthentication` reads the token and its user; every view then asks for the user's
roles (`core.roles.user_roles`), a second query on every request. Here one query reads the token,
the user and the role names together. Nothing is cached between requests: a deleted token, a
deactivated user or a changed role takes effect on the very next request, in every process.
"""

from rest_framework import authentication

from core.roles import role_names, user_roles_set


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        token = (
            self.get_model()
            .objects.select_related("user")
            .annotate(role_names=role_names())
            .filter(key=key)
            .first()
        )
        if token is None or not token.user.is_active:
            # DRF's own refusal, with its messages, for an unknown token or an inactive user.
            return super().authenticate_credentials(key)
        user_roles_set(token.user, token.role_names)
        return (token.user, token)
