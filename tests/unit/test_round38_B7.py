"""Brief B7: breadth of what is not Azure. A build tool's or another vendor's own failing words (its API host, its
SDK's exception, its error body, its CLI's summary line) end the report out of scope naming that provider, with what
its error means (knowledge/foreign_providers.yaml); the same tool named beside a failing Azure call, or the tool run
inside Azure's own build (Oryx, Kudu), keeps the report Azure's. Each mechanism fires on its report and stays silent
on its near miss."""

from __future__ import annotations

import re

import pytest

from shared.engines.analyzers.common import table
from shared.engines.rules import _UNREACHED
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import out_of_scope_report, run_engine

# (provider named in the root cause, words of the provider's meaning that must be added or None, the paste)
OUTSIDE = [
    pytest.param('Maven', 'repository manager',
                 'Azure DevOps pipeline, job Build, step Maven@4 (before the AzureWebApp@1 deploy step, which was '
                 'skipped):\n'
                 '[INFO] Scanning for projects...\n'
                 'Downloading from central: '
                 'https://repo.maven.apache.org/maven2/org/springframework/boot/spring-boot-starter-parent/3.2.4/spring-boot-starter-parent-3.2.4.pom'
                 '\n'
                 '[ERROR] Failed to execute goal on project orders-api: Could not resolve dependencies for project '
                 'com.contoso:orders-api:jar:1.4.0: Could not transfer artifact '
                 'io.netty:netty-codec-http:jar:4.1.107.Final from/to central '
                 '(https://repo.maven.apache.org/maven2): status code: 429, reason phrase: Too Many Requests (429) '
                 '-> [Help 1]\n'
                 '##[error]Build failed.',
                 id='maven-0'),
    pytest.param('Maven', 'tests failed',
                 'GitHub Actions, deploy to Azure Functions (Java). The job stops at mvn package:\n'
                 '[INFO] Running com.contoso.fn.HttpTriggerTest\n'
                 '[ERROR] Tests run: 4, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.412 s <<< FAILURE! - in '
                 'com.contoso.fn.HttpTriggerTest\n'
                 '[ERROR] Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:3.2.5:test '
                 '(default-test) on project fn-orders: There are test failures.\n'
                 '[ERROR] Please refer to /home/runner/work/fn/target/surefire-reports for the individual test '
                 'results.\n'
                 'Error: Process completed with exit code 1.',
                 id='maven-1'),
    pytest.param('Gradle', 'pluginManagement',
                 'Our pipeline builds a Spring Boot app with Gradle and then deploys it to Azure Spring Apps. It '
                 'fails in the build:\n'
                 'FAILURE: Build failed with an exception.\n'
                 '* What went wrong:\n'
                 "Plugin [id: 'org.springframework.boot', version: '3.2.4'] was not found in any of the following "
                 'sources:\n'
                 "- Gradle Core Plugins (plugin is not in 'org.gradle' namespace)\n"
                 '- Plugin Repositories (could not resolve plugin artifact '
                 "'org.springframework.boot:org.springframework.boot.gradle.plugin:3.2.4')\n"
                 '  Searched in the following repositories:\n'
                 '    Gradle Central Plugin Repository\n'
                 'BUILD FAILED in 14s',
                 id='gradle-2'),
    pytest.param('Gradle', 'compile',
                 'App Service deployment via GitHub Actions; step ./gradlew build:\n'
                 '> Task :compileJava FAILED\n'
                 '/home/runner/work/api/src/main/java/com/contoso/OrderService.java:41: error: cannot find symbol\n'
                 'FAILURE: Build failed with an exception.\n'
                 '* What went wrong:\n'
                 "Execution failed for task ':compileJava'.\n"
                 '> Compilation failed; see the compiler error output for details.\n'
                 'BUILD FAILED in 22s',
                 id='gradle-3'),
    pytest.param('NuGet', 'nuget.config',
                 'Azure DevOps pipeline for our App Service API, the DotNetCoreCLI@2 restore step fails:\n'
                 '/usr/share/dotnet/sdk/8.0.204/NuGet.targets(169,5): error NU1101: Unable to find package '
                 'Contoso.Shared.Contracts. No packages exist with this id in source(s): nuget.org '
                 '[/home/vsts/work/1/s/src/Api/Api.csproj]\n'
                 "##[error]Error: The process '/usr/bin/dotnet' failed with exit code 1",
                 id='nuget-4'),
    pytest.param('NuGet', 'TargetFramework',
                 'dotnet restore in GitHub Actions before azure/webapps-deploy:\n'
                 '  Determining projects to restore...\n'
                 '/home/runner/work/web/Web.csproj : error NU1202: Package Microsoft.EntityFrameworkCore 9.0.0 is '
                 'not compatible with net6.0 (.NETCoreApp,Version=v6.0). Package Microsoft.EntityFrameworkCore 9.0.0'
                 ' supports: net8.0 (.NETCoreApp,Version=v8.0)\n'
                 '  Failed to restore /home/runner/work/web/Web.csproj (in 1.2 sec).',
                 id='nuget-5'),
    pytest.param('PyPI', 'from versions',
                 "GitHub Actions workflow to deploy a Flask app to Azure App Service; the 'pip install -r "
                 "requirements.txt' step fails:\n"
                 'Collecting azure-identity==1.16.0\n'
                 '  Downloading azure_identity-1.16.0-py3-none-any.whl (166 kB)\n'
                 'ERROR: Could not find a version that satisfies the requirement numpy==1.19.5 (from versions: '
                 '1.26.0, 1.26.1, 1.26.2, 1.26.3, 1.26.4, 2.0.0)\n'
                 'ERROR: No matching distribution found for numpy==1.19.5\n'
                 'Error: Process completed with exit code 1.',
                 id='pypi-6'),
    pytest.param('Poetry', 'poetry lock',
                 "Pipeline for our Azure Functions Python app, step 'poetry install --no-root' fails:\n"
                 'Installing dependencies from lock file\n'
                 'pyproject.toml changed significantly since poetry.lock was last generated. Run `poetry lock '
                 '[--no-update]` to fix the lock file.\n'
                 "##[error]Bash exited with code '1'.",
                 id='poetry-7'),
    pytest.param('Yarn', 'frozen lockfile',
                 'Static Web App build in GitHub Actions (before Azure/static-web-apps-deploy):\n'
                 'yarn install v1.22.19\n'
                 '[1/4] Resolving packages...\n'
                 'error Your lockfile needs to be updated, but yarn was run with `--frozen-lockfile`.\n'
                 'info Visit https://yarnpkg.com/en/docs/cli/install for documentation about this command.\n'
                 'Error: Process completed with exit code 1.',
                 id='yarn-8'),
    pytest.param('Yarn', 'frozen lockfile',
                 'yarn install in our Azure Pipelines build:\n'
                 '➤ YN0000: ┌ Resolution step\n'
                 '➤ YN0028: │ The lockfile would have been modified by this install, which is explicitly forbidden.\n'
                 '➤ YN0000: └ Completed in 0s 412ms\n'
                 '➤ YN0000: Failed with errors in 0s 418ms',
                 id='yarn-9'),
    pytest.param('pnpm', None,
                 'Deploying a Next.js app to Azure App Service with GitHub Actions, the install step fails:\n'
                 'Run pnpm install --frozen-lockfile\n'
                 ' ERR_PNPM_OUTDATED_LOCKFILE  Cannot install with "frozen-lockfile" because pnpm-lock.yaml is not '
                 'up to date with <ROOT>/package.json\n'
                 'Note that in CI environments this setting is true by default. If you still need to run install in '
                 'such cases, use "pnpm install --no-frozen-lockfile"\n'
                 'Error: Process completed with exit code 1.',
                 id='pnpm-10'),
    pytest.param('Composer', 'config.platform.php',
                 'Laravel app for Azure App Service (PHP 8.2), composer install in the pipeline:\n'
                 'Loading composer repositories with package information\n'
                 'Updating dependencies\n'
                 'Your requirements could not be resolved to an installable set of packages.\n'
                 '  Problem 1\n'
                 '    - Root composer.json requires php ^8.3 but your php version (8.2.18) does not satisfy that '
                 'requirement.\n'
                 "##[error]Bash exited with code '2'.",
                 id='composer-11'),
    pytest.param('Go', 'GOPRIVATE',
                 'Building our Go API container before pushing it to ACR, the build fails at go mod download:\n'
                 '#12 4.211 go: github.com/contoso/shared@v1.3.2: reading '
                 'https://proxy.golang.org/github.com/contoso/shared/@v/v1.3.2.info: 404 Not Found\n'
                 '#12 4.211 \tserver response: not found: github.com/contoso/shared@v1.3.2: invalid version: unknown'
                 ' revision v1.3.2\n'
                 '#12 ERROR: process "/bin/sh -c go mod download" did not complete successfully: exit code: 1',
                 id='go-12'),
    pytest.param('Go', 'go.sum',
                 'go build in Azure Pipelines:\n'
                 'go: downloading github.com/gin-gonic/gin v1.9.1\n'
                 'verifying github.com/gin-gonic/gin@v1.9.1: checksum mismatch\n'
                 '\tdownloaded: h1:4+fr/el88TOO3ewCmQr8cx/CtZ/umlIRIs5M4NTNjf8=\n'
                 '\tgo.sum:     h1:4idEAncQnU5cB7BeOkPtxjfCSye0AAm1R0RVIqJ+Jmg=\n'
                 'SECURITY ERROR\n'
                 'This download does NOT match an earlier download recorded in go.sum.',
                 id='go-13'),
    pytest.param('Bundler', 'Gemfile.lock',
                 "Rails app deployed to App Service (Linux) via Azure DevOps; 'bundle install' in the pipeline fails:\n"
                 'Fetching gem metadata from https://rubygems.org/.........\n'
                 'Resolving dependencies...\n'
                 'Could not find compatible versions\n'
                 '\n'
                 'Because rails >= 7.1.0 depends on Ruby >= 2.7.0\n'
                 '  and Gemfile depends on rails ~> 7.1.3,\n'
                 '  Ruby >= 2.7.0 is required.\n'
                 "##[error]Bash exited with code '6'.",
                 id='bundler-14'),
    pytest.param('Docker Hub', 'access token',
                 'Step docker/login-action in our workflow (it later deploys to Azure Container Apps):\n'
                 'Logging into Docker Hub...\n'
                 'Error: Error response from daemon: Get "https://registry-1.docker.io/v2/": unauthorized: incorrect'
                 ' username or password',
                 id='docker-hub-15'),
    pytest.param('Helm', 'index.yaml',
                 'Deploying to AKS with helm in Azure DevOps; the helm repo step fails before anything reaches the '
                 'cluster:\n'
                 '+ helm repo add bitnami https://charts.bitnami.com/bitnami\n'
                 'Error: looks like "https://charts.bitnami.com/bitnami" is not a valid chart repository or cannot '
                 'be reached: failed to fetch https://charts.bitnami.com/bitnami/index.yaml : 403 Forbidden\n'
                 '##[error]Script failed with exit code: 1',
                 id='helm-16'),
    pytest.param('HCP Terraform', None,
                 'terraform init in our pipeline for the azurerm stack:\n'
                 'Initializing HCP Terraform...\n'
                 '│ Error: Required token could not be found\n'
                 '│\n'
                 '│ Run the following command to generate a token for app.terraform.io:\n'
                 '│     terraform login',
                 id='hcp-terraform-17'),
    pytest.param('HCP Terraform', 'TF_TOKEN_app_terraform_io',
                 'terraform plan for our Azure landing zone, remote backend in Terraform Cloud:\n'
                 'Error: Failed to read organization "contoso-platform" at host app.terraform.io\n'
                 '\n'
                 'Encountered an unexpected error while reading the organization settings: unauthorized',
                 id='hcp-terraform-18'),
    pytest.param('Terraform', 'required_providers',
                 'terraform init in Azure DevOps for our azurerm configuration:\n'
                 'Initializing provider plugins...\n'
                 '- Finding hashicorp/azurerm versions matching "~> 3.100"...\n'
                 '- Finding latest version of contoso/internal...\n'
                 '│ Error: Failed to query available provider packages\n'
                 '│\n'
                 '│ Could not retrieve the list of available versions for provider contoso/internal: provider '
                 'registry registry.terraform.io does not have a provider named '
                 'registry.terraform.io/contoso/internal',
                 id='terraform-19'),
    pytest.param('ESLint', 'severity',
                 'Our GitHub Actions run that should deploy to Azure Static Web Apps fails at npm run lint:\n'
                 '/home/runner/work/site/src/components/Cart.tsx\n'
                 "  14:7   error  'total' is assigned a value but never used  @typescript-eslint/no-unused-vars\n"
                 "  31:11  error  React Hook useEffect has a missing dependency: 'load'  react-hooks/exhaustive-deps\n"
                 '\n'
                 '✖ 2 problems (2 errors, 0 warnings)\n'
                 'Error: Process completed with exit code 1.',
                 id='eslint-20'),
    pytest.param('TypeScript', 'paths alias',
                 'Azure Functions (Node, TypeScript) pipeline, npm run build step:\n'
                 '> tsc\n'
                 "src/functions/orders.ts(22,9): error TS2322: Type 'string | undefined' is not assignable to type "
                 "'string'.\n"
                 "src/functions/orders.ts(40,15): error TS2307: Cannot find module '@contoso/models' or its "
                 'corresponding type declarations.\n'
                 "##[error]Bash exited with code '2'.",
                 id='typescript-21'),
    pytest.param('Jest', 'FAIL lines',
                 'npm test step before the App Service deploy:\n'
                 'FAIL src/api/orders.test.ts\n'
                 '  ● orders › returns 404 for unknown id\n'
                 '    expect(received).toBe(expected) // Object.is equality\n'
                 '    Expected: 404\n'
                 '    Received: 500\n'
                 'Test Suites: 1 failed, 7 passed, 8 total\n'
                 'Tests:       1 failed, 52 passed, 53 total',
                 id='jest-22'),
    pytest.param('pytest', 'FAILED lines',
                 "Azure DevOps, Python Function App, step 'pytest' runs before AzureFunctionApp@2:\n"
                 'FAILED tests/test_orders.py::test_create_order - AssertionError: assert 500 == 201\n'
                 '========================= 1 failed, 37 passed in 4.12s =========================\n'
                 "##[error]Bash exited with code '1'.",
                 id='pytest-23'),
    pytest.param('Trivy', '.trivyignore',
                 'Our container pipeline scans the image before pushing to ACR and deploying to AKS:\n'
                 'Run aquasecurity/trivy-action@0.20.0\n'
                 'contoso/api:1.8.2 (alpine 3.18.4)\n'
                 'Total: 3 (UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 1, CRITICAL: 2)\n'
                 'Error: Process completed with exit code 1.',
                 id='trivy-24'),
    pytest.param('Checkmarx', 'base_uri',
                 'Azure DevOps pipeline for the App Service, Checkmarx One scan task:\n'
                 'Run checkmarx/ast-github-action@main\n'
                 '[ERROR] Failed creating a scan: 401 Unauthorized - Error validating scan: invalid_grant\n'
                 'Error: Process completed with exit code 1.',
                 id='checkmarx-25'),
    pytest.param('CocoaPods', '--repo-update',
                 'Our mobile pipeline (the iOS app talks to our Azure backend), pod install fails:\n'
                 '[!] CocoaPods could not find compatible versions for pod "FirebaseAnalytics":\n'
                 '  In Podfile:\n'
                 '    Firebase/Analytics (~> 10.22) was resolved to 10.22.0, which depends on\n'
                 '      FirebaseAnalytics (~> 10.22.0)\n'
                 "##[error]Bash exited with code '1'.",
                 id='cocoapods-26'),
    pytest.param('Mapbox', 'URL restrictions',
                 'Node app on Azure App Service, map tiles fail; log stream:\n'
                 '2026-12-01T10:14:02Z Error: GET '
                 'https://api.mapbox.com/styles/v1/mapbox/streets-v12?access_token=pk.eyJ1... 401\n'
                 '{"message":"Not Authorized - Invalid Token"}',
                 id='mapbox-27'),
    pytest.param('Zoom', 'Server-to-Server',
                 'Our scheduler on App Service creates Zoom meetings; after redeploy every call fails:\n'
                 'POST https://api.zoom.us/v2/users/me/meetings -> 401\n'
                 '{"code":124,"message":"Invalid access token."}',
                 id='zoom-28'),
    pytest.param('DocuSign', 'consent',
                 'ASP.NET app on App Service sends envelopes, fails with:\n'
                 'DocuSign.eSign.Client.ApiException: Error calling RequestJWTUserToken: {"error":"consent_required"}\n'
                 '   at DocuSign.eSign.Client.DocuSignClient.RequestJWTUserToken(...)',
                 id='docusign-29'),
    pytest.param('Dropbox', 'refresh token',
                 'Python worker on Azure Container Apps syncs files to Dropbox:\n'
                 "dropbox.exceptions.AuthError: AuthError('d1f2...', AuthError('expired_access_token', None))",
                 id='dropbox-30'),
    pytest.param('Box', '60 minutes',
                 'Function app uploads reports to Box:\n'
                 'boxsdk.exception.BoxAPIException: Message: None\n'
                 'Status: 401\n'
                 'Code: None\n'
                 'Request ID: None\n'
                 'Headers: {\'www-authenticate\': \'Bearer realm="Service", error="invalid_token", '
                 'error_description="The access token provided is invalid."\'}\n'
                 'URL: https://upload.box.com/api/2.0/files/content\n'
                 'Method: POST',
                 id='box-31'),
    pytest.param('Google', None,
                 'App Service (Python) writes to a Google Sheet:\n'
                 'googleapiclient.errors.HttpError: <HttpError 403 when requesting '
                 'https://sheets.googleapis.com/v4/spreadsheets/1AbC/values/Sheet1%21A1:append?valueInputOption=RAW&alt=json'
                 ' returned "The caller does not have permission". Details: "The caller does not have permission">',
                 id='google-32'),
    pytest.param("Let's Encrypt", 'staging',
                 'cert-manager on our AKS cluster stopped issuing certificates:\n'
                 'Failed to create Order: 429 urn:ietf:params:acme:error:rateLimited: Error creating new order :: '
                 'too many certificates (5) already issued for this exact set of domains in the last 168 hours: '
                 'shop.contoso.com, retry after 2026-12-08T10:00:00Z: see '
                 'https://letsencrypt.org/docs/rate-limits/#new-certificates-per-exact-set-of-hostnames',
                 id='lets-encrypt-33'),
    pytest.param('Akamai', 'Reference number',
                 'Our App Service app calls a partner API behind Akamai; it gets:\n'
                 'HTTP/1.1 403 Forbidden\n'
                 'Server: AkamaiGHost\n'
                 "<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>You don't have "
                 'permission to access "http://partner.example.com/api/v2/quotes" on this '
                 'server.<P>Reference&#32;&#35;18&#46;6f3e1002&#46;1701420000&#46;2b7c1e</BODY></HTML>',
                 id='akamai-34'),
    pytest.param('Fastly', 'Host',
                 "Our Container App fetches from a partner's CDN and gets a 503:\n"
                 'HTTP/1.1 503 Service Unavailable\n'
                 'Server: Varnish\n'
                 'X-Served-By: cache-ams21080-AMS\n'
                 'Fastly error: unknown domain: assets.partner.example. Please check that this domain has been added'
                 ' to a service.',
                 id='fastly-35'),
    pytest.param('Meta', 'allowed list',
                 'App Service webhook sends WhatsApp messages with the Cloud API:\n'
                 'POST https://graph.facebook.com/v19.0/1234567890/messages -> 400\n'
                 '{"error":{"message":"(#131030) Recipient phone number not in allowed '
                 'list","type":"OAuthException","code":131030,"fbtrace_id":"AbC123"}}',
                 id='meta-36'),
    pytest.param('Telegram', 'webhook',
                 'Our Telegram bot runs on Azure App Service with 2 instances; logs:\n'
                 'telegram.error.Conflict: Conflict: terminated by other getUpdates request; make sure that only one'
                 ' bot instance is running',
                 id='telegram-37'),
    pytest.param('Telegram', 'never started',
                 'Azure Function sending alerts to Telegram:\n'
                 'POST https://api.telegram.org/bot<token>/sendMessage -> 400\n'
                 '{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}',
                 id='telegram-38'),
    pytest.param('Redis', None,
                 'App Service (Node) connecting to our Redis Cloud database:\n'
                 '[ioredis] Unhandled error event: ReplyError: WRONGPASS invalid username-password pair or user is '
                 'disabled.\n'
                 'host: redis-14567.c300.eu-central-1-1.ec2.redns.redis-cloud.com:14567',
                 id='redis-39'),
    pytest.param('Neon', None,
                 'Prisma on Azure Container Apps against our Neon database:\n'
                 'Error: P1001? no:\n'
                 "error: password authentication failed for user 'app_owner'\n"
                 '  host ep-cool-river-a5xyz123.us-east-2.aws.neon.tech, sslmode=require',
                 id='neon-40'),
    pytest.param('PlanetScale', 'branch',
                 'Laravel on App Service, database on PlanetScale:\n'
                 "SQLSTATE[HY000] [1045] Access denied for user 'x3y2z1'@'10.0.0.12' (using password: YES) "
                 '(Connection: mysql, Host: aws.connect.psdb.cloud)',
                 id='planetscale-41'),
    pytest.param('CockroachDB', 'retry',
                 'Go service on AKS using CockroachDB Cloud:\n'
                 'ERROR: restart transaction: TransactionRetryWithProtoRefreshError: TransactionRetryError: retry '
                 'txn (RETRY_SERIALIZABLE - failed preemptive refresh): "sql txn" (SQLSTATE 40001)\n'
                 'host: free-tier14.aws-us-east-1.cockroachlabs.cloud',
                 id='cockroachdb-42'),
    pytest.param('Upstash', 'plan',
                 'Function App rate limiter with Upstash Redis:\n'
                 'UpstashError: ERR max daily request limit exceeded. Limit: 10000, Usage: 10000.\n'
                 'at https://eu1-precise-cat-12345.upstash.io',
                 id='upstash-43'),
    pytest.param('Cloudinary', 'CLOUDINARY_URL',
                 'Node API on App Service uploads images:\n'
                 'Error: {"error":{"message":"Invalid api_key 123456789012345","http_code":401}} at '
                 'https://api.cloudinary.com/v1_1/contoso/image/upload',
                 id='cloudinary-44'),
    pytest.param('Notion', 'Connections',
                 'Azure Function writes rows to Notion:\n'
                 'APIResponseError: Could not find database with ID: 1a2b3c4d-.... Make sure the relevant pages and '
                 'databases are shared with your integration.\n'
                 "code: 'object_not_found', status: 404, url https://api.notion.com/v1/pages",
                 id='notion-45'),
    pytest.param('Airtable', 'personal access token',
                 'Logic? no, a Python App Service job syncs Airtable:\n'
                 'requests.exceptions.HTTPError: 403 Client Error: Forbidden for url: '
                 'https://api.airtable.com/v0/appXYZ/Orders\n'
                 '{"error":{"type":"INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND","message":"Invalid permissions, or the '
                 'requested model was not found."}}',
                 id='airtable-46'),
    pytest.param('Discord', 'regenerated',
                 'Our Azure Function posts alerts to a Discord webhook:\n'
                 'POST https://discord.com/api/webhooks/1234/abcd -> 404\n'
                 '{"message": "Unknown Webhook", "code": 10015}',
                 id='discord-47'),
    pytest.param('DeepL', ':fx',
                 'App Service translation feature:\n'
                 'deepl.exceptions.AuthorizationException: Authorization failure, check auth_key, message: Wrong '
                 'endpoint. Use https://api-free.deepl.com',
                 id='deepl-48'),
    pytest.param('Intercom', 'api.eu.intercom.io',
                 'Node worker on Container Apps:\n'
                 'Error: Request failed with status code 401 for url https://api.intercom.io/contacts\n'
                 '{"type":"error.list","request_id":"000abc","errors":[{"code":"token_not_found","message":"Token '
                 'not found"}]}',
                 id='intercom-49'),
    pytest.param('Codecov', 'upload token',
                 'GitHub Actions for our App Service API, the coverage step fails the job before deploy:\n'
                 'Run codecov/codecov-action@v4\n'
                 "[2026-12-01T10:00:00.000Z] ['error'] There was an error running the uploader: Error uploading to "
                 'https://codecov.io: Error: There was an error fetching the storage URL during POST: 429 - '
                 '{"message":"Rate limit reached. Please upload with the Codecov repository upload token to resolve '
                 'issue."}\n'
                 'Codecov: Failed to properly upload report: The process '
                 "'/home/runner/work/_actions/codecov/codecov-uploader' failed with exit code 255",
                 id='codecov-50'),
    pytest.param('Cypress', 'CYPRESS_RECORD_KEY',
                 'E2E job before the swap of our App Service slots:\n'
                 'Run cypress run --record --parallel\n'
                 'You passed the --record flag but did not provide us your Record Key.\n'
                 'You can pass us your Record Key like this:\n'
                 '  cypress run --record --key <record_key>\n'
                 'Error: Process completed with exit code 1.',
                 id='cypress-51'),
    pytest.param('Resend', 'Verify the domain',
                 'Next.js API route on Azure Static Web Apps sends mail:\n'
                 'POST https://api.resend.com/emails -> 403\n'
                 '{"statusCode":403,"message":"You can only send testing emails to your own email address '
                 '(me@contoso.com). To send emails to other recipients, please verify a domain at '
                 'resend.com/domains","name":"validation_error"}',
                 id='resend-52'),
    pytest.param('Brevo', 'Authorized IPs',
                 'Our App Service app sends transactional mail via Brevo; since the move to a new plan every call '
                 'fails:\n'
                 'sib_api_v3_sdk.rest.ApiException: (401)\n'
                 'Reason: Unauthorized\n'
                 'HTTP response body: {"message":"We have detected you are using an unrecognised IP address '
                 '20.50.2.10. If you performed this action make sure to add the new IP address in this link: '
                 'https://app.brevo.com/security/authorised_ips","code":"unauthorized"}',
                 id='brevo-53'),
    pytest.param('reCAPTCHA', 'two minutes',
                 'ASP.NET Core on App Service, the contact form validation fails:\n'
                 'POST https://www.google.com/recaptcha/api/siteverify\n'
                 '{"success": false, "error-codes": ["timeout-or-duplicate"]}',
                 id='recaptcha-54'),
    pytest.param('Terraform Registry', 'required_providers',
                 'terraform init in Azure DevOps:\n'
                 'Initializing provider plugins...\n'
                 '- Finding latest version of hashicorp/azuredevops...\n'
                 'Error: Failed to query available provider packages\n'
                 'Could not retrieve the list of available versions for provider hashicorp/azuredevops: provider '
                 'registry registry.terraform.io does not have a provider named '
                 'registry.terraform.io/hashicorp/azuredevops\n'
                 'Did you intend to use microsoft/azuredevops? If so, you must specify that source address in each '
                 'module which requires that provider.',
                 id='terraform-registry-55'),
]

# the same tool or vendor named, but the failing call is Azure's (or the tool ran inside Azure's own build)
NEAR_MISSES = [
    pytest.param('GitHub Actions:\n'
                 'Run npm ci\n'
                 'added 812 packages, and audited 813 packages in 21s\n'
                 'Run npm run build\n'
                 '> next build   ✓ Compiled successfully\n'
                 'Run azure/webapps-deploy@v3\n'
                 'Package deployment using ZIP Deploy initiated.\n'
                 'Error: Failed to deploy web package to App Service.\n'
                 'Error: Deployment Failed, Error: Failed to deploy web package using OneDeploy to App Service.\n'
                 'Conflict (CODE: 409)',
                 id='npm-ok,-webapps-deploy-409'),
    pytest.param('[INFO] BUILD SUCCESS\n'
                 '[INFO] Total time:  41.212 s\n'
                 '$ az functionapp deploy --resource-group rg-orders --name fn-orders --src-path target/fn.zip '
                 '--type zip\n'
                 "ERROR: Operation returned an invalid status 'Forbidden'\n"
                 "The client 'ci-deployer@contoso.com' with object id '1111' does not have authorization to perform "
                 "action 'Microsoft.Web/sites/publishxml/action' over scope "
                 "'/subscriptions/000/resourceGroups/rg-orders/providers/Microsoft.Web/sites/fn-orders' or the scope"
                 ' is invalid.',
                 id='maven-ok,-functionapp-403'),
    pytest.param('#12 exporting to image\n'
                 '#12 naming to contosoacr.azurecr.io/api:42 done\n'
                 'The push refers to repository [contosoacr.azurecr.io/api]\n'
                 'denied: requested access to the resource is denied\n'
                 'unauthorized: authentication required, visit https://aka.ms/acr/authorization for more information.',
                 id='docker-ok,-acr-push-denied'),
    pytest.param('BUILD SUCCESSFUL in 48s\n'
                 '$ az spring app deploy -n orders -s contoso-spring -g rg --artifact-path build/libs/orders.jar\n'
                 "(BadRequest) The app 'orders' is using 'Java_17' runtime but the artifact requires 'Java_21'.",
                 id='gradle-ok,-spring-apps'),
    pytest.param('Deploying my Flask app to App Service with az webapp up, deployment log:\n'
                 'Running pip install...\n'
                 'Successfully installed flask-3.0.3 gunicorn-22.0.0\n'
                 "Error: ModuleNotFoundError: No module named 'app'\n"
                 "2026-12-01T10:00:00 Container contoso-web_0_abc didn't respond to HTTP pings on port: 8000, "
                 'failing site start.',
                 id='pip-ok,-oryx-fails'),
    pytest.param('Terraform Cloud run (app.terraform.io) for our Azure stack, apply:\n'
                 'Error: creating Resource Group "rg-prod": resources.GroupsClient#CreateOrUpdate: Failure '
                 'responding to request: StatusCode=403 -- Original Error: autorest/azure: Service returned an '
                 'error. Status=403 Code="AuthorizationFailed" Message="The client \'2222\' with object id \'2222\' '
                 'does not have authorization to perform action '
                 "'Microsoft.Resources/subscriptions/resourcegroups/write' over scope "
                 "'/subscriptions/000/resourcegroups/rg-prod' or the scope is invalid.",
                 id='terraform-cloud-ok,-azurerm-403'),
    pytest.param('helm upgrade --install api ./chart succeeded (Release "api" has been upgraded. Happy Helming!)\n'
                 'kubectl get pods: api-7d9f-xk2 0/1 ImagePullBackOff\n'
                 'Failed to pull image "contosoacr.azurecr.io/api:42": rpc error: code = Unknown desc = failed to '
                 'authorize: failed to fetch anonymous token: 401 Unauthorized',
                 id='helm-ok,-aks-ImagePullBackOff'),
    pytest.param('dotnet restore succeeded, the app starts on App Service and then:\n'
                 "Microsoft.Data.SqlClient.SqlException (0x80131904): Login failed for user '<token-identified "
                 "principal>'.\n"
                 'Error Number:18456,State:1,Class:14',
                 id='nuget-ok,-sql-login'),
    pytest.param('Our Telegram bot on App Service saves files to Blob Storage; the upload fails:\n'
                 'Azure.RequestFailedException: This request is not authorized to perform this operation using this '
                 'permission.\n'
                 'Status: 403 (This request is not authorized to perform this operation using this permission.)\n'
                 'ErrorCode: AuthorizationPermissionMismatch',
                 id='telegram-named,-azure-storage-403'),
    pytest.param('Deployment to App Service with SCM_DO_BUILD_DURING_DEPLOYMENT=true, Oryx build log:\n'
                 "Running 'npm run build'...\n"
                 '> tsc\n'
                 "src/index.ts(3,21): error TS2307: Cannot find module 'express' or its corresponding type "
                 'declarations.\n'
                 'Error: Oryx build failed with exit code 2',
                 id='oryx-tsc'),
    pytest.param('az webapp up for my Flask app; the deployment log (Oryx):\n'
                 'Running pip install...\n'
                 'ERROR: Could not find a version that satisfies the requirement pywin32==306 (from versions: none)\n'
                 'ERROR: No matching distribution found for pywin32==306\n'
                 'Deployment Failed.',
                 id='oryx-pip'),
    pytest.param('dotnet restore in Azure Pipelines:\n'
                 'error NU1301: Unable to load the service index for source '
                 'https://pkgs.dev.azure.com/contoso/_packaging/shared/nuget/v3/index.json.\n'
                 'Response status code does not indicate success: 401 (Unauthorized).',
                 id='azure-artifacts-feed'),
    pytest.param('[INFO] BUILD SUCCESS? no:\n'
                 '[ERROR] Failed to execute goal com.microsoft.azure:azure-functions-maven-plugin:1.30.0:deploy '
                 "(default-cli) on project fn-orders: App Service Plan 'ASP-rg-orders' not found in resource group "
                 "'rg-orders'.",
                 id='functions-maven-plugin'),
    pytest.param('> Task :azureFunctionsDeploy FAILED\n'
                 'FAILURE: Build failed with an exception.\n'
                 '* What went wrong:\n'
                 "Execution failed for task ':azureFunctionsDeploy'.\n"
                 "> com.microsoft.azure.toolkit.lib.common.operation.OperationException: The subscription '0000' "
                 'could not be found.',
                 id='gradle-functions-deploy'),
    pytest.param('cert-manager on AKS, DNS-01 with Azure DNS:\n'
                 'Error presenting challenge: azure.BearerAuthorizer#WithAuthorization: Failed to refresh the Token '
                 'for request to '
                 'https://management.azure.com/subscriptions/000/resourceGroups/dns/providers/Microsoft.Network/dnsZones/contoso.com/TXT/_acme-challenge?api-version=2017-09-01:'
                 " StatusCode=400 -- Original Error: adal: Refresh request failed. Status Code = '400'. Response "
                 'body: {"error":"invalid_request","error_description":"Identity not found"}',
                 id='letsencrypt-dns-challenge'),
    pytest.param('Run aquasecurity/trivy-action@0.20.0\n'
                 'Total: 0 (UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0)\n'
                 'Run azure/container-apps-deploy-action@v1\n'
                 "ERROR: (ContainerAppOperationError) Failed to provision revision for container app 'orders'. Error"
                 ' details: The following field(s) are either invalid or missing. Field '
                 "'template.containers.orders.image' is invalid with details: 'Invalid value: "
                 '"contosoacr.azurecr.io/orders:42": GET https:: MANIFEST_UNKNOWN: manifest tagged by "42" is not '
                 "found'",
                 id='trivy-passed-then-deploy'),
    pytest.param('> eslint .\n'
                 '✖ 3 problems (0 errors, 3 warnings)\n'
                 'Run Azure/functions-action@v1\n'
                 'Error: Failed to deploy web package to Function App. Error: Execution Exception (state: '
                 'PublishContent) (step: Invocation) Error: Failed to deploy web package to App Service. Error: '
                 'Deployment Failed, Error: Failed to deploy web package using OneDeploy to App Service. '
                 'Unauthorized (CODE: 401)',
                 id='eslint-warnings-then-deploy'),
    pytest.param('Akamai sits in front of our App Service. Users get errors and the App Service HTTP log shows:\n'
                 '2026-12-01 10:02:11 GET /api/orders - 443 - 23.45.1.2 - - 500 0 0 31000\n'
                 'and the app log stream: System.InvalidOperationException: Unable to resolve service for type '
                 "'Contoso.IOrderRepository' while attempting to activate 'Contoso.OrdersController'.",
                 id='akamai-in-front-of-app-service'),
]


@pytest.mark.parametrize(("provider", "meaning", "text"), OUTSIDE)
def test_the_providers_own_failing_words_end_out_of_scope_naming_it(provider: str, meaning: str | None,
                                                                      text: str) -> None:
    cause = out_of_scope_report(text)["root_cause"]
    assert provider.lower() in cause.lower()
    if meaning is not None:
        assert meaning.lower() in cause.lower()


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_the_same_tool_beside_a_failing_azure_call_stays_in_scope(text: str) -> None:
    report = run_engine({"error_description": text}).envelope().get("report") or {}
    assert report.get("category") != "out_of_scope"


def test_unless_keeps_a_tool_run_by_azures_own_build_off_the_vendor_path() -> None:
    ci = ("GitHub Actions, step pip install -r requirements.txt:\n"
          "ERROR: Could not find a version that satisfies the requirement numpy==1.19.5 (from versions: 1.26.4)\n"
          "ERROR: No matching distribution found for numpy==1.19.5\n"
          "Error: Process completed with exit code 1.")
    assert "PyPI" in out_of_scope_report(ci)["root_cause"]
    oryx = ci.replace("GitHub Actions, step pip install -r requirements.txt", "Oryx build of the App Service app: "
                      "Running pip install...").replace("Error: Process completed with exit code 1.", "")
    assert (run_engine({"error_description": oryx}).envelope().get("report") or {}).get("category") != "out_of_scope"
    # the catalog's reading of the pip error is the Azure build's: not the CI runner's step, still Oryx's
    assert best_entry_id(ci) != "python-pip-no-matching-distribution"
    assert best_entry_id(oryx) == "python-pip-no-matching-distribution"


def test_databricks_token_entry_leaves_zooms_body_alone() -> None:
    zoom = '{"code":124,"message":"Invalid access token."}'
    databricks = '{"error_code":"403","message":"Invalid access token."}'
    assert best_entry_id(zoom) != "integration-databricks-invalid-access-token"
    assert best_entry_id(databricks) == "integration-databricks-invalid-access-token"


def test_a_token_answer_named_timeout_is_no_unanswered_call() -> None:
    assert _UNREACHED.search('"error-codes": ["timeout-or-duplicate"]') is None
    assert _UNREACHED.search("the request to siteverify timed out after 30s") is not None
    assert _UNREACHED.search("Read timeout on siteverify") is not None


@pytest.mark.parametrize(("shown", "quiet"), [
    # a summary printed by a passing scan or lint is no failure of it
    ("Total: 2 (UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 1, CRITICAL: 1)\nError: Process completed with exit code 1.",
     "Total: 2 (UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 1, CRITICAL: 1)\nRun azure/webapps-deploy@v3"),
    ("\u2716 2 problems (2 errors, 0 warnings)", "\u2716 3 problems (0 errors, 3 warnings)"),
    # an edge's own refusal page, not a header of a response it relays from the origin
    ("Access Denied You don't have permission to access \"http://x.example/a\" on this server.<P>"
     "Reference&#32;&#35;18&#46;6f3e1002&#46;1701420000&#46;2b7c1e", "Server: AkamaiGHost\nHTTP/1.1 502 Bad Gateway"),
    ("Fastly error: unknown domain: a.example.", "X-Served-By: cache-ams21080-AMS\nHTTP/1.1 503"),
    # the Maven build's own plugins, not the Azure plugin's deploy goal
    ("[ERROR] Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:3.2.5:test (default-test)",
     "[ERROR] Failed to execute goal com.microsoft.azure:azure-functions-maven-plugin:1.30.0:deploy (default-cli)"),
    ("Execution failed for task ':compileJava'.", "Execution failed for task ':azureFunctionsDeploy'."),
    # the CA's refusal, not an ACME challenge an Azure DNS zone or ingress failed
    ("urn:ietf:params:acme:error:rateLimited: too many certificates",
     "urn:ietf:params:acme:error:unauthorized: Invalid response from http://x/.well-known/acme-challenge/abc"),
])
def test_failing_forms_need_the_failure_not_only_the_tool(shown: str, quiet: str) -> None:
    forms = [p["failing"] for p in table("foreign_providers") if p.get("failing")]
    assert any(re.search(f, shown) for f in forms)
    added = {"Trivy", "ESLint", "Akamai", "Fastly", "Apache Maven", "Gradle", "Let's Encrypt"}
    assert not any(re.search(p["failing"], quiet) for p in table("foreign_providers")
                   if p.get("failing") and any(p["provider"].startswith(a) for a in added))


def test_new_entries_name_a_source_and_meanings_of_their_own_errors() -> None:
    providers = {p["provider"]: p for p in table("foreign_providers")}
    for name in ("Maven Central (the public Maven repository)",
                 "NuGet (nuget.org and the package restore of dotnet)", "Telegram (Bot API)",
                 "Let's Encrypt (its ACME certificate authority)", "Neon (serverless PostgreSQL)"):
        entry = providers[name]
        assert entry["source"].startswith("https://") and entry.get("meanings")
