"""A canary corpus: generated (never real) secrets in the forms callers paste, each with its secret value.

Every canary value is random and unique, so finding it (or a long piece of it) anywhere the app stored
or emitted is a leak. Forms follow issue 5's list; each form is repeated with fresh values in a few
surroundings (a bare line, a log line, an exception message) so the corpus has well over 150 entries."""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Callable
from dataclasses import dataclass

ALNUM = string.ascii_letters + string.digits


@dataclass(frozen=True)
class Canary:
    form: str
    text: str    # what the caller sends (one or more lines)
    secret: str  # the value that must never come back


class _Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def alnum(self, n: int) -> str:
        return "".join(self.rng.choice(ALNUM) for _ in range(n))

    def b64(self, raw_bytes: int) -> str:
        return base64.b64encode(self.rng.randbytes(raw_bytes)).decode()

    def password(self) -> str:
        return f"Pw{self.alnum(14)}7"


Form = Callable[[_Gen], tuple[str, str]]


def _forms() -> dict[str, Form]:
    return {
        "storage-conn": lambda g: (lambda k: (f"DefaultEndpointsProtocol=https;AccountName=st{g.alnum(6).lower()};"
                                              f"AccountKey={k};EndpointSuffix=core.windows.net", k))(g.b64(64)),
        "storage-key-json": lambda g: (lambda k: (f'"storageAccountKey": "{k}"', k))(g.b64(64)),
        "servicebus": lambda g: (lambda k: (f"Endpoint=sb://sb-{g.alnum(5).lower()}.servicebus.windows.net/;"
                                            f"SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={k}", k))(
            g.b64(32)),
        "eventhubs": lambda g: (lambda k: (f"Endpoint=sb://eh-{g.alnum(5).lower()}.servicebus.windows.net/;"
                                           f"SharedAccessKeyName=send;SharedAccessKey={k};EntityPath=orders", k))(
            g.b64(32)),
        "cosmos": lambda g: (lambda k: (f"AccountEndpoint=https://cos-{g.alnum(5).lower()}.documents.azure.com:443/;"
                                        f"AccountKey={k};", k))(g.b64(64)),
        "sql": lambda g: (lambda p: (f"Server=tcp:sql-x.database.windows.net,1433;Initial Catalog=orders;"
                                     f"User ID=app;Password={p};Encrypt=True;", p))(g.password()),
        "redis": lambda g: (lambda k: (f"cache-x.redis.cache.windows.net:6380,password={k},ssl=True,"
                                       "abortConnect=False", k))(g.b64(32)),
        "appconfig": lambda g: (lambda k: (f"Endpoint=https://appcs-x.azconfig.io;Id={g.alnum(4)}-l0-s0:{g.alnum(20)};"
                                           f"Secret={k}", k))(g.b64(32)),
        "sas": lambda g: (lambda s: ("https://stx.blob.core.windows.net/in/a.csv?sv=2022-11-02&ss=b&srt=o&sp=r"
                                     f"&se=2030-01-01T00:00:00Z&spr=https&sig={s}", s))(
            g.b64(32).replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")),
        "client-secret": lambda g: (lambda s: (f'"clientSecret": "{s}"', s))(f"{g.alnum(3)}8Q~{g.alnum(31)}"),
        "client-secret-env": lambda g: (lambda s: (f"AZURE_CLIENT_SECRET={s}", s))(f"{g.alnum(3)}7Q~{g.alnum(31)}"),
        "jwt": lambda g: (lambda t: (f"token={t}", t.split(".")[2]))(_jwt(g)),
        "bearer": lambda g: (lambda t: (f"Authorization: Bearer {t}", t))(g.alnum(60)),
        "basic": lambda g: (lambda t: (f"Authorization: Basic {t}", t))(
            base64.b64encode(f"user:{g.password()}".encode()).decode()),
        "pem": lambda g: (lambda body: ("-----BEGIN RSA PRIVATE KEY-----\n" + body
                                        + "\n-----END RSA PRIVATE KEY-----", body.split("\n")[1]))(
            "\n".join(g.b64(48) for _ in range(6))),
        "url-password": lambda g: (lambda p: (f"postgres://app:{p}@db-x.postgres.database.azure.com:5432/orders", p))(
            g.password()),
        "dotenv": lambda g: (lambda p: (f"DB_PASSWORD={p}", p))(g.password()),
        "local-settings": lambda g: (lambda p: (json.dumps({"IsEncrypted": False, "Values": {"ApiPassword": p}}), p))(
            g.password()),
        "appsettings": lambda g: (lambda p: (json.dumps({"ConnectionStrings": {"Default": (
            f"Server=db;Database=orders;User Id=app;Password={p};")}}), p))(g.password()),
        "yaml": lambda g: (lambda p: (f"database:\n  user: app\n  password: {p}\n", p))(g.password()),
        "github": lambda g: (lambda t: (f"GITHUB_TOKEN is {t}", t))(f"ghp_{g.alnum(36)}"),
        "openai": lambda g: (lambda t: (f"openai.api_key = '{t}'", t))(f"sk-proj-{g.alnum(48)}"),
        # account keys as `az ... keys list` prints them (issue 12): a bare line, the table, a label
        "storage-key-bare": lambda g: (lambda k: (f"$ az storage account keys list -n st -g rg --query [0].value "
                                                  f"-o tsv\n{k}", k))(g.b64(64)),
        "storage-key-table": lambda g: (lambda k: (f"key1\tFULL\t{k}", k))(g.b64(64)),
        "cosmos-primary-key": lambda g: (lambda k: (f"Primary key: {k}", k))(g.b64(64)),
        "servicebus-primary-key": lambda g: (lambda k: (f"Primary Key: {k}", k))(g.b64(32)),
        "openai-key-label": lambda g: (lambda k: (f"KEY 1: {k}", k))(g.rng.randbytes(16).hex()),
        "aws": lambda g: (lambda k, s: (f"aws_access_key_id = {k}\naws_secret_access_key = {s}", s))(
            "AKIA" + g.alnum(16).upper(), g.alnum(40)),
        "powershell-securestring": lambda g: (lambda p: (
            f"Set-AzKeyVaultSecret -VaultName kv-x -Name db -SecretValue (ConvertTo-SecureString '{p}' -AsPlainText "
            "-Force)", p))(g.password()),
        "powershell-parameter": lambda g: (lambda p: (f"New-AzSqlServer -SqlAdministratorPassword '{p}'", p))(
            g.password()),
        "docker-login": lambda g: (lambda p: (f"docker login crx.azurecr.io -u crx -p '{p}'", p))(g.password()),
        "curl-user": lambda g: (lambda p: (f"curl --user deploy:{p} https://app-x.scm.azurewebsites.net/", p))(
            g.password()),
        "devops-pat": lambda g: (lambda t: (f"AZURE_DEVOPS_EXT_PAT={t}", t))(g.alnum(52).lower()),
        "docker-config": lambda g: (lambda a: (f'{{"auths": {{"crx.azurecr.io": {{"auth": "{a}"}}}}}}', a))(
            base64.b64encode(f"crx:{g.password()}".encode()).decode()),
    }


def _jwt(g: _Gen) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part({'sub': g.alnum(12), 'aud': 'api'})}.{g.alnum(86)}"


_SURROUNDINGS = (
    "{}",
    "2025-04-02T07:12:44Z [Error] Host.Startup failed with setting {}",
    "System.InvalidOperationException: could not connect using '{}'",
)


def canaries(per_form: int = 7, seed: int = 5) -> list[Canary]:
    """per_form canaries of every form, with fresh values, rotating through the surroundings."""
    gen = _Gen(seed)
    corpus = []
    for index in range(per_form):
        for name, form in _forms().items():
            text, secret = form(gen)
            corpus.append(Canary(name, _SURROUNDINGS[index % len(_SURROUNDINGS)].format(text), secret))
    return corpus


def leaked(haystack: str, corpus: list[Canary]) -> list[Canary]:
    """The canaries whose secret (or a 16-character piece of it) appears in haystack."""
    found = []
    for canary in corpus:
        pieces = {canary.secret[i:i + 16] for i in range(0, max(1, len(canary.secret) - 15), 8)}
        if any(piece in haystack for piece in pieces):
            found.append(canary)
    return found
