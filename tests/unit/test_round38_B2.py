"""Round 38 (brief B2): breadth from Microsoft's troubleshooting articles for compute, networking and Resource Manager
deployments. Each new entry is found by a realistic paste, concludes with its deciding detail, and stays silent on a
near miss that shares words with it."""

from __future__ import annotations

import pytest

from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine, settled_report

# --- each paste finds its entry ------------------------------------------------------------------------------------

PASTES = [
    ("compute-appgw-subnet-too-small",
     '{"status":"Failed","error":{"code":"DeploymentFailed","details":[{"code":"SubnetTooSmall","message":"Application'
     ' Gateway V2 requires a subnet of at least /24 size. Subnet /subscriptions/1/resourceGroups/rg-edge/providers/'
     'Microsoft.Network/virtualNetworks/vnet-edge/subnets/snet-agw has prefix 10.4.1.0/28."}]}}'),
    ("compute-appgw-subnet-delegated-elsewhere",
     "Deployment failed. Code: InvalidSubnet\nMessage: Subnet 'snet-gw' is delegated to a different service and can't"
     " be used by Application Gateway."),
    ("compute-appgw-subnet-has-other-resources",
     "ERROR: (ApplicationGatewaySubnetCannotHaveOtherResourceTypes) Subnet /subscriptions/2/resourceGroups/rg-web/"
     "providers/Microsoft.Network/virtualNetworks/vnet-web/subnets/agw-subnet cannot be used for Application Gateway"
     " agw-web because it contains other resource types: privateEndpoints."),
    ("compute-appgw-subnet-default-route-not-internet",
     '{"code":"ApplicationGatewaySubnetUserDefinedRouteNotAllowed","message":"The default route in the Application'
     " Gateway subnet must have a next hop type of 'Internet'.\"}"),
    ("compute-appgw-sku-not-specified",
     'Deployment failed: {"code":"ApplicationGatewaySkuNotSpecified","message":"Application Gateway /subscriptions/8/'
     'resourceGroups/rg/providers/Microsoft.Network/applicationGateways/agw-new must specify a Sku."}'),
    ("compute-subnet-has-delegations",
     "$ az network vnet subnet delete -g rg-data -n snet-pg --vnet-name vnet-data\n(SubnetHasDelegations) Subnet"
     " snet-pg cannot be deleted because it is delegated to Microsoft.DBforPostgreSQL/flexibleServers."),
    ("compute-subnet-delegated-cannot-be-used",
     "ERROR: (SubnetIsDelegatedAndCannotBeUsed) Subnet /subscriptions/9/resourceGroups/rg/providers/Microsoft.Network/"
     "virtualNetworks/vnet1/subnets/snet-apps is delegated to Microsoft.Web/serverFarms and cannot be used."),
    ("compute-in-use-nic-blocks-subnet",
     "(InUseNetworkInterfaceCannotBeAssociatedWithSubnet) Network interface /subscriptions/9/resourceGroups/rg/"
     "providers/"
     "Microsoft.Network/networkInterfaces/vm-old-nic123 is in use."),
    ("compute-network-profile-cannot-be-deleted",
     "$ az network vnet delete -g rg-aci -n vnet-aci\n(NetworkProfileCannotBeDeleted) Network profile"
     " aci-network-profile-vnet-aci-default is in use and cannot be deleted."),
    ("compute-vmss-flex-single-placement-group-true",
     'Deployment failed: {"code":"InvalidParameter","message":"The value \'True\' of parameter \'singlePlacementGroup\''
     ' is not allowed. Allowed values are: False.","target":"singlePlacementGroup"}'),
    ("compute-vmss-flex-delete-has-vms",
     "$ az vmss delete -g rg-batch -n vmss-flex-workers\n(OperationNotAllowed) Deletion of Virtual Machine Scale Set is"
     " not allowed as it contains one or more VMs. Please delete or detach the VM(s) before deleting the Virtual"
     " Machine Scale Set."),
    ("compute-vmss-single-placement-group-allocation-failed",
     "(AllocationFailed) Allocation failed. If you are trying to add a new VM to a Virtual Machine Scale Set with a"
     " single placement group or update/resize an existing VM in a Virtual Machine Scale Set with a single placement"
     " group, please note that such allocation is scoped to a single cluster, and it is possible that the cluster is"
     " out of capacity."),
    ("compute-allocation-failed",
     "Allocation failed. The cluster cannot support the requested VM size Standard_M128s. Please try again later or"
     " choose a different VM size."),
    ("compute-image-builder-template-update-not-supported",
     "$ az image builder create -g rg-img -n tmpl-ubuntu --image-source Canonical:ubuntu:22_04-lts:latest\n(Conflict)"
     " 'Conflict'. Details: Update/Upgrade of image templates is currently not supported"),
    ("compute-image-builder-packer-build-failed",
     '"lastRunStatus": {"runState": "Failed", "message": "Failed while waiting for packerizer: Microservice has failed:'
     " Failed while processing request: Error when executing packerizer: Packer build command has failed: exit status"
     ' 1. During the image build, a failure has occurred."}'),
    ("compute-image-builder-build-timeout",
     "Deployment failed. Correlation ID: 1a2b. Failed in building/customizing image: Failed while waiting for"
     " packerizer: Timeout waiting for microservice to complete: 'context deadline exceeded'"),
    ("compute-image-builder-gallery-replication-timeout",
     "Failed in distributing 1 images out of total 1: Error publishing MDI to shared image gallery. Error: Error"
     " waiting on shared image gallery future for resource group: rg-img, gallery name: galcorp. Original Error:"
     " context deadline exceeded"),
    ("compute-image-builder-file-download-failed",
     "[3c2f] PACKER OUT Downloading external file (https://stgbuild.blob.core.windows.net/scripts/setup.sh) to local"
     " file (3c2f.0.customizer.fp) [attempt 1 of 10] failed: Error downloading 'setup.sh'."),
    ("compute-appgw-504-backend-timeout",
     "$ curl -i https://shop.contoso.com/api/reports/export\nHTTP/1.1 504 Gateway Time-out\nServer:"
     " Microsoft-Azure-Application-Gateway/v2\n<html><head><title>504 Gateway Time-out</title></head><body></body>"
     "</html>"),
    ("compute-appgw-listener-disabled-keyvault",
     "Browsers hitting https://portal.fabrikam.io behind our Application Gateway show ERR_SSL_UNRECOGNIZED_NAME_ALERT"
     " since yesterday; the http listener still works."),
    ("compute-appgw-waf-403-page",
     "HTTP/1.1 403 Forbidden\nServer: Microsoft-Azure-Application-Gateway/v2\n<html><head><title>403 Forbidden</title>"
     "</head><body><center><h1>403 Forbidden</h1></center></body></html>"),
    ("compute-vm-apt-ubuntu-archive-connect-timeout",
     "E: Failed to fetch http://azure.archive.ubuntu.com/ubuntu/pool/main/n/nginx/nginx-common_1.18.0_all.deb  Could"
     " not connect to azure.archive.ubuntu.com:80 (52.147.219.192), connection timed out"),
    ("compute-vm-apt-firewall-status-470",
     "Err:3 http://azure.archive.ubuntu.com/ubuntu focal-updates InRelease\n  470  status code 470 [IP: 23.101.248.31"
     " 80]\nE: Failed to fetch http://security.ubuntu.com/ubuntu/dists/focal/InRelease 470 status code 470"),
    ("compute-vm-apt-third-party-repo-no-pubkey",
     "W: GPG error: http://download.opensuse.org/repositories/devel:/kubic/xUbuntu_22.04  InRelease: The following"
     " signatures couldn't be verified because the public key is not available: NO_PUBKEY 4D64390375060AA4"),
    ("compute-vm-rdp-credssp-encryption-oracle",
     "An authentication error has occurred. The function requested is not supported. Remote computer: 20.51.3.7. This"
     " could be due to CredSSP encryption oracle remediation."),
    ("compute-vm-rhui-repository-unreachable",
     "Curl error (28): Timeout was reached for https://rhui4-1.microsoft.com/pulp/repos/content/dist/rhel8/rhui/8/"
     "x86_64/baseos/os/repodata/repomd.xml [Operation timed out after 30000 milliseconds with 0 out of 0 bytes"
     " received]"),
    ("compute-vm-extension-unsupported-os-code-51",
     '{"code":"VMExtensionProvisioningError","message":"VM has reported a failure when processing extension'
     " 'CustomScript'. Error message: \\\"Enable failed: Error Code 51, 'Unsupported OS'\\\".\"}"),
    ("compute-storage-account-vhd-artifacts-in-use",
     "Failed to delete storage account 'stlegacyvhds'. Error: The storage account cannot be deleted due to its"
     " artifacts being in use."),
    ("compute-vm-windows-kms-activation-0xc004f074",
     "PS C:\\> cscript c:\\windows\\system32\\slmgr.vbs /ato\nError: 0xC004F074 The Software Licensing Service reported"
     " that the computer could not be activated. No Key Management Service (KMS) could be contacted."),
    ("compute-vm-agent-wireserver-unreachable",
     "[WARN]  (Ignoring) Exception while fetching supported versions from HostGAPlugin: System.Net.WebException: Unable"
     " to connect to the remote server ---> System.Net.Sockets.SocketException: An attempt was made to access a socket"
     " in a way forbidden by its access permissions 168.63.129.16:32526"),
    ("compute-crp-operation-group-throttled",
     'HTTP/1.1 429 Too Many Requests\nRetry-After: 1200\n{"code": "OperationNotAllowed", "message": "The server'
     ' rejected the request because too many requests have been received for this subscription.", "details": [{"code":'
     ' "TooManyRequests", "target": "HighCostGet"}]}'),
    ("compute-resource-move-timed-out",
     '{"statusCode": "Conflict", "statusMessage": "{\\"error\\":{\\"code\\":\\"ResourceMoveTimedOut\\",\\"message\\":'
     '\\"Moving resources did not finish within allowed time \'04:00:00\'.\\"}}"}'),
    ("compute-resource-move-blocked-by-azure-backup",
     "The move resources request contains resources like /subscriptions/1/resourceGroups/rg-app/providers/"
     "Microsoft.Compute/disks/vm-app01_OsDisk_1 that are being backed up as part of an Azure Backup job."),
    ("compute-image-builder-devops-task-canceled",
     "##[section]Starting: Azure VM Image Builder Task\nstarting run template...\n##[error]The operation was canceled."
     "\n##[section]Finishing: Azure VM Image Builder Task"),
]


@pytest.mark.parametrize(("entry_id", "text"), PASTES, ids=[p[0] for p in PASTES])
def test_the_paste_finds_its_entry(entry_id: str, text: str) -> None:
    assert best_entry_id(text) == entry_id


# --- near misses: similar words, another meaning -------------------------------------------------------------------

NEAR_MISSES = [
    ("compute-vmss-flex-single-placement-group-true",
     'Deployment failed: {"code":"InvalidParameter","message":"The value \'False\' of parameter'
     ' \'singlePlacementGroup\' is not allowed. Allowed values are: True."}'),
    ("compute-image-builder-build-timeout",
     "Error: waiting for creation of Storage Account: context deadline exceeded"),
    ("compute-image-builder-file-download-failed",
     "PACKER OUT Downloading external file (https://stg.blob.core.windows.net/s/setup.sh) to local file (x.fp)"
     " completed"),
    ("compute-appgw-504-backend-timeout",
     "HTTP/1.1 504 Gateway Time-out\nServer: nginx/1.24.0\n<html><head><title>504 Gateway Time-out</title></head>"),
    ("compute-appgw-waf-403-page",
     "HTTP/1.1 403 Forbidden\nServer: nginx\n<html><head><title>403 Forbidden</title></head><body></body></html>"),
    ("compute-appgw-listener-disabled-keyvault",
     "curl: (35) error:14094458:SSL routines: tlsv1 unrecognized name; the browser says ERR_SSL_UNRECOGNIZED_NAME_ALERT"
     " for our nginx reverse proxy"),
    ("compute-vm-apt-ubuntu-archive-connect-timeout",
     "E: Failed to fetch http://deb.debian.org/debian/pool/main/c/curl.deb  Could not connect to deb.debian.org:80,"
     " connection timed out"),
    ("compute-vm-rhui-repository-unreachable",
     "https://rhui4-1.microsoft.com/pulp/repos/content/dist/rhel8/rhui/8/x86_64/baseos/os/repodata/repomd.xml:"
     " [Errno 14] HTTPS Error 403 - Forbidden"),
    ("compute-vm-rdp-credssp-encryption-oracle",
     "An authentication error has occurred. The Local Security Authority cannot be contacted. Remote computer:"
     " 20.51.3.7."),
    ("compute-vmss-single-placement-group-allocation-failed",
     "(AllocationFailed) Allocation failed. We do not have sufficient capacity for the requested VM size in this"
     " region. Read more about improving likelihood of allocation success at https://aka.ms/allocation-guidance."),
    ("compute-appgw-subnet-delegated-elsewhere",
     "Subnet 'snet-apps' is delegated to Microsoft.Web/serverFarms; the App Service VNet integration uses it."),
    ("compute-image-builder-devops-task-canceled",
     "##[error]The operation was canceled.\n##[section]Finishing: DotNetCoreCLI test"),
    ("compute-vm-agent-wireserver-unreachable",
     "System.Net.Sockets.SocketException (10013): An attempt was made to access a socket in a way forbidden by its"
     " access permissions. (contoso-sql.database.windows.net:1433)"),
    ("compute-vm-windows-kms-activation-0xc004f074",
     "Error: 0xC004C003 The activation server determined the specified product key is blocked."),
]


@pytest.mark.parametrize(("entry_id", "text"), NEAR_MISSES, ids=[p[0] for p in NEAR_MISSES])
def test_a_near_miss_does_not_get_the_entry(entry_id: str, text: str) -> None:
    assert best_entry_id(text) != entry_id


def test_the_generic_gateway_page_entry_still_reads_a_502() -> None:
    text = ("HTTP/1.1 502 Bad Gateway\nServer: Microsoft-Azure-Application-Gateway/v2\n<html><head><title>502 Bad"
            " Gateway</title></head></html>")
    assert best_entry_id(text) == "compute-appgw-502-bad-gateway"


# --- the engine concludes with the deciding detail -----------------------------------------------------------------

CONCLUSIONS = [
    (PASTES[0][1], "deployment.template_invalid", "/24"),
    (PASTES[3][1], "deployment.template_invalid", "0.0.0.0/0"),
    (PASTES[9][1], "deployment.template_invalid", "Flexible"),
    (PASTES[10][1], "deployment.resource_locked", "Flexible"),
    (PASTES[11][1], "quota.sku_not_available", "single placement group"),
    (PASTES[13][1], "deployment.name_conflict", "cannot be updated in place"),
    (PASTES[15][1], "runtime.timeout", "buildTimeoutInMinutes"),
    (PASTES[18][1], "runtime.timeout", "request timeout"),
    (PASTES[20][1], "network.nsg_blocked", "Prevention mode"),
    (PASTES[24][1], "out_of_scope", "CredSSP"),
]


@pytest.mark.parametrize(("text", "category", "detail"), CONCLUSIONS, ids=[c[1] + ":" + c[2] for c in CONCLUSIONS])
def test_the_engine_concludes_with_the_deciding_detail(text: str, category: str, detail: str) -> None:
    report = settled_report(text)
    assert report["category"] == category
    assert detail in report["root_cause"]
    assert category == "out_of_scope" or report["confidence"] != "high"  # never high on an Azure cause from text


# --- the Application Gateway frontend TCP timeout clue -------------------------------------------------------------

def test_a_gateway_frontend_timeout_after_a_route_change_on_its_subnet_is_decided() -> None:
    report = settled_report(
        "Our public site behind Application Gateway v2 stopped answering after the network team attached a route table"
        " to the gateway subnet. Browsers show ERR_CONNECTION_TIMED_OUT, curl to the frontend IP on 443 hangs.")
    assert report["category"] == "network.nsg_blocked"
    assert "return traffic" in report["root_cause"]


def _first_question_or_root_cause(text: str) -> str:
    outcome = run_engine({"error_description": text})
    if outcome.requests:
        return outcome.requests[0].request.question
    return str((outcome.envelope().get("report") or {}).get("root_cause", ""))


def test_a_bare_gateway_frontend_timeout_asks_about_the_subnet() -> None:
    said = _first_question_or_root_cause("Browsers get ERR_CONNECTION_TIMED_OUT for https://api.contoso.com. It is an"
                                         " Azure Application Gateway.")
    assert "route table or an NSG associated with the Application Gateway subnet" in said


def test_a_gateway_502_is_not_read_as_a_frontend_timeout() -> None:
    said = _first_question_or_root_cause("Application Gateway returns 502 Bad Gateway and then ERR_EMPTY_RESPONSE in"
                                         " Chrome.")
    assert "route table or an NSG associated with the Application Gateway subnet" not in said
    assert "open a TCP connection" not in said
