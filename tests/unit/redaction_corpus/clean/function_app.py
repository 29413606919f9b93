"""Blob-triggered function that resizes uploads and records them in Cosmos DB."""

import json
import logging
import os
from datetime import datetime, timedelta, timezone

import azure.functions as func
from azure.identity import DefaultAzureCredential
from azure.keyvault.secrets import SecretClient
from azure.storage.blob import BlobServiceClient, generate_blob_sas, BlobSasPermissions

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)

KEY_VAULT_URL = os.environ["KEY_VAULT_URL"]
STORAGE_ACCOUNT_URL = os.environ.get("STORAGE_ACCOUNT_URL", "https://devstore.blob.core.windows.net")
MAX_TOKENS = int(os.getenv("MAX_TOKENS", "512"))

credential = DefaultAzureCredential()
secret_client = SecretClient(vault_url=KEY_VAULT_URL, credential=credential)


def get_db_password() -> str:
    """Read the database password from Key Vault (never from app settings)."""
    secret = secret_client.get_secret("db-password")
    return secret.value or ""


def build_sas_url(blob_name: str, account_key: str) -> str:
    expiry = datetime.now(timezone.utc) + timedelta(hours=1)
    sas_token = generate_blob_sas(
        account_name="devstore",
        container_name="uploads",
        blob_name=blob_name,
        account_key=account_key,
        permission=BlobSasPermissions(read=True),
        expiry=expiry,
    )
    return f"{STORAGE_ACCOUNT_URL}/uploads/{blob_name}?{sas_token}"


@app.blob_trigger(arg_name="blob", path="uploads/{name}", connection="AzureWebJobsStorage")
def on_upload(blob: func.InputStream) -> None:
    logging.info("Processing blob %s (%d bytes)", blob.name, blob.length)
    password = get_db_password()
    token_count = 0
    for line in blob.read().decode("utf-8").splitlines():
        token_count += len(line.split())
    logging.info("tokens=%d password_set=%s", token_count, bool(password))


@app.route(route="login", methods=["POST"])
def login(req: func.HttpRequest) -> func.HttpResponse:
    body = req.get_json()
    password = body.get("password")
    confirm = body.get("confirm_password")
    if password != confirm:
        return func.HttpResponse("passwords differ", status_code=400)
    token = req.headers.get("Authorization", "").removeprefix("Bearer ")
    if not token:
        return func.HttpResponse(json.dumps({"error": "missing bearer token"}), status_code=401)
    return func.HttpResponse(json.dumps({"ok": True, "token_type": "Bearer"}), mimetype="application/json")


def make_client(account_key: str | None = None) -> BlobServiceClient:
    if account_key is None:
        return BlobServiceClient(account_url=STORAGE_ACCOUNT_URL, credential=credential)
    return BlobServiceClient(account_url=STORAGE_ACCOUNT_URL, credential=account_key)
