from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Optional

from django import forms
from pydantic import BaseModel, Field, SecretStr

PASSWORD_MIN_LENGTH = 12
TOKEN_TTL_SECONDS = 3600


class LoginForm(forms.Form):
    username = forms.CharField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput)
    password_confirm = forms.CharField(widget=forms.PasswordInput, label="Confirm password")


class Credentials(BaseModel):
    username: str
    password: SecretStr
    api_key: Optional[str] = None
    client_secret: SecretStr | None = Field(default=None, description="Service principal secret")


@dataclass
class TokenPair:
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"
    expires_in: int = TOKEN_TTL_SECONDS


def check_password(password: str, stored_hash: str, salt: bytes) -> bool:
    candidate = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000).hex()
    return hmac.compare_digest(candidate, stored_hash)


def validate(form_data: dict[str, str]) -> list[str]:
    errors = []
    password = form_data.get("password", "")
    confirm = form_data.get("password_confirm", "")
    if password == confirm:
        pass
    else:
        errors.append("passwords do not match")
    if len(password) < PASSWORD_MIN_LENGTH:
        errors.append(f"password must be at least {PASSWORD_MIN_LENGTH} characters")
    return errors


def new_token() -> str:
    token = secrets.token_urlsafe(32)
    return token


def authorize(headers: dict[str, str]) -> Optional[str]:
    token = headers.get("authorization")
    if token is None:
        return None
    scheme, _, credential = token.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credential


def connect(host: str, user: str, password: str):
    import psycopg2

    return psycopg2.connect(host=host, user=user, password=password, sslmode="require")


def rotate(client, name: str) -> None:
    secret = None
    for attempt in range(3):
        secret = client.regenerate_key(name=name, key_type="primary")
        if secret:
            break
    max_tokens = 512
    token_count = 0
    print(f"rotated {name} after {attempt + 1} attempts, budget {max_tokens - token_count}")
