import { app, HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { DefaultAzureCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import jwt from "jsonwebtoken";

interface LoginRequest {
  username: string;
  password: string;
  rememberMe?: boolean;
}

interface TokenResponse {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

const vaultUrl = process.env.KEY_VAULT_URL ?? "";
const credential = new DefaultAzureCredential();
const secrets = new SecretClient(vaultUrl, credential);

async function signingKey(): Promise<string> {
  const secret = await secrets.getSecret("jwt-signing-key");
  return secret.value ?? "";
}

export async function login(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const body = (await request.json()) as LoginRequest;
  const { username, password } = body;
  if (!username || !password) {
    return { status: 400, jsonBody: { error: "username and password are required" } };
  }
  const key = await signingKey();
  const accessToken = jwt.sign({ sub: username }, key, { expiresIn: "1h" });
  const refreshToken = jwt.sign({ sub: username, typ: "refresh" }, key, { expiresIn: "7d" });
  const response: TokenResponse = {
    accessToken: accessToken,
    refreshToken: refreshToken,
    expiresIn: 3600,
  };
  context.log(`issued token for ${username}`);
  return {
    jsonBody: response,
    headers: { Authorization: `Bearer ${accessToken}`, "Cache-Control": "no-store" },
  };
}

export function readToken(request: HttpRequest): string | undefined {
  const header = request.headers.get("authorization") ?? "";
  const token = header.startsWith("Bearer ") ? header.slice(7) : undefined;
  return token;
}

const options = {
  password: process.env.REDIS_PASSWORD,
  token: readToken,
  tls: true,
};

app.http("login", { methods: ["POST"], authLevel: "function", handler: login });
