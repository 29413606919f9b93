"""Round 38 B1: knowledge breadth from Microsoft's troubleshooting articles for containers (AKS, ACR, Container
Instances, Container Apps). Each new or extended catalog entry is reached by a realistic paste (a CLI error, a kubectl
event, a portal JSON, a system log line) and, where the entry is conclusive, the engine's answer has its category and
the deciding detail of the article's cause; near misses (the same words in another product's or another cause's
report) keep away from the new entries."""

from __future__ import annotations

import pytest

from shared.engines.clues import clue_in
from tests.helpers.catalog_checks import best_entry_id
from tests.helpers.engine_loop import run_engine

PASTES: dict[str, str] = {
    'nm-taint-mixed': '  Warning  FailedScheduling  default-scheduler  0/8 nodes are available: 3 node(s) had untolerated taint {CriticalAddonsOnly: true}, 5 Insufficient cpu. preemption: 0/8 nodes are available (AKS cluster aks-render)',
    'nm-taint-scaleup': "Normal NotTriggerScaleUp cluster-autoscaler pod didn't trigger scale-up: 1 max node group size reached, 1 node(s) had untolerated taint {CriticalAddonsOnly: true}",
    'gatekeeper-limits': '$ kubectl apply -f deploy.yaml\nError from server (Forbidden): error when creating "deploy.yaml": admission webhook "validation.gatekeeper.sh" denied the request: [azurepolicy-k8sazurecontainerlimits-3f2a] container <cache-service> has no resource/memory limit',
    'gatekeeper-privileged': 'Error from server (Forbidden): admission webhook "validation.gatekeeper.sh" denied the request: [azurepolicy-k8sazurev2noprivilege-9d1c] Privileged container is not allowed: agent, securityContext: {"privileged": true}',
    'tf-policy-def-not-found': 'Error: creating/updating Policy Assignment "kubernetes" (Scope: "/subscriptions/0000"): policy.AssignmentsClient#Create: Failure responding to request: StatusCode=404 -- Original Error: autorest/azure: Service returned an error. Status=404 Code="PolicyDefinitionNotFound" Message="The policy definition \'/subscriptions/0000/providers/Microsoft.Authorization/policySetDefinitions/k8s-initiative\' could not be found."\n  with azurerm_policy_assignment.kubernetes, on main.tf line 12',
    'nm-policy-param': "Error: creating Policy Assignment: (InvalidPolicyParameters) The policy definition 'allowed-locations' has an invalid parameter 'listOfAllowedLocations'.",
    'aci-waiting-stuck': 'Our Azure Container Instances container group cg-etl (az container create with an Azure file share volume) never starts: the container stays in Waiting state and after 30 minutes the deployment fails with a timeout.',
    'aci-waiting-timeout': 'Deploying container group cg-web with an Azure file share volume; after 30 minutes the deployment fails with a timeout and the container state stays Waiting in Azure Container Instances.',
    'nm-aci-running': 'The container group cg-web in Azure Container Instances is Running but the site returns 502 from our Application Gateway.',
    'win2019-gen2': '$ az aks nodepool add -g rg --cluster-name aks1 -n win1 --os-type Windows --os-sku Windows2019 --node-vm-size Standard_D4s_v5\n(BadRequest) Standard_D4s_v5 is a Gen 2-only VM. Windows2019 does not support Gen 2 VMs. However, you can select a Gen 1 VM size or set os_sku to 2022.\nCode: ErrorCode_Windows2019NotSupportedWithGen2VM',
    'istio-region': '$ az aks mesh enable -g rg -n aks1\n(BadRequest) Azure service mesh is not supported in this region',
    'istio-mode-missing': 'Deployment failed: (BadRequest) Missing service mesh mode: {} (managedCluster serviceMeshProfile in my Bicep)',
    'istio-ingress-mode': '$ az aks mesh enable-ingress-gateway -g rg -n aks1 --ingress-gateway-type public\n(BadRequest) Invalid istio ingress mode: {Public}',
    'istio-too-many': '$ az aks mesh enable-ingress-gateway -g rg -n aks1 --ingress-gateway-type external\n(BadRequest) Too many ingresses for type: {External}. Only {1} ingress gateway are allowed',
    'istio-profile-missing': '(BadRequest) Istio profile is missing even though Service Mesh mode is Istio',
    'istio-incompatible': '$ az aks mesh enable -g rg -n aks1\n(BadRequest) Istio based Azure service mesh is incompatible with feature OpenServiceMesh',
    'istio-plugin-ca-params': '(BadRequest) ServiceMeshProfile is missing required parameters: [RootCertObjectName] for plugin certificate authority',
    'istio-kv-addon': '$ az aks mesh enable -g rg -n aks1 --key-vault-id $KV --ca-cert-object-name ca-cert --ca-key-object-name ca-key --root-cert-object-name root-cert --cert-chain-object-name cert-chain\n(BadRequest) AzureKeyvaultSecretsProvider addon is required for Azure Service Mesh plugin certificate authority feature',
    'istio-kv-id': "(BadRequest) 'KeyVaultId': 'kv-mesh' is not a valid Azure keyvault resource identifier. Please make sure that the format matches '/subscriptions//resourceGroups//providers/Microsoft.KeyVault/vaults/'",
    'istio-k8s-version-missing': '(BadRequest) Kubernetes version is missing in orchestrator profile',
    'istio-revision-incompatible': "$ az aks mesh upgrade start -g rg -n aks1 --revision asm-1-24\n(BadRequest) Service mesh revision asm-1-24 is not compatible with cluster version 1.28.5. To find information about mesh-cluster compatibility, use 'az aks mesh get-upgrades'",
    'istio-k8s-unsupported': "(BadRequest) Kubernetes version 1.26.6 not supported. Please upgrade to a supported cluster version first. To find compatibility information, use 'az aks mesh get-upgrades'",
    'istio-revision-empty': '(BadRequest) ServiceMeshProfile revision field must not be empty',
    'istio-max-revisions': '$ az aks mesh upgrade start -g rg -n aks1 --revision asm-1-25\n(BadRequest) Request exceeds maximum allowed number of revisions (2)',
    'istio-upgrade-in-progress': '$ az aks mesh get-upgrades -g rg -n aks1\n(BadRequest) Mesh upgrade is in progress. Please complete or roll back the current upgrade before attempting to retrieve versioning and compatibility information',
    'mp-extensionaddons-403': 'Request failed to https://management.azure.com/subscriptions/000/resourceGroups/rg/providers/Microsoft.ContainerService/managedclusters/aks-cluster/extensionaddons/default?api-version=2021-03-01. Error code: Forbidden. Reason: Forbidden. {"error": {"code": "AuthorizationFailed", "message": "The client \'1111\' with object id \'1111\' does not have authorization to perform action \'Microsoft.ContainerService/managedclusters/extensionaddons/read\' over scope \'/subscriptions/000/resourceGroups/rg/providers/Microsoft.ContainerService/managedclusters/aks-cluster/extensionaddons/default\' or the scope is invalid. If access was recently granted, please refresh your credentials."}}',
    'mp-payment': "Deployment of the Kubernetes app offer failed: The 'unknown' payment instrument(s) is not supported for offer with OfferId: 'contoso-k8s-app', PlanId 'standard'.",
    'mp-market': "The Offer: 'contoso-k8s-app' cannot be purchased by subscription: '0000-1111' as it is not to be sold in market: 'BR'.",
    'mp-helm-chart': '{"status": "Failed", "error": {"code": "ExtensionOperationFailed", "message": "The extension operation failed with the following error: Failed to install chart from path [] for release contoso-app: values don\'t meet the specifications of the schema"}}',
    'mns-edit': '$ kubectl label ns team-a owner=me --overwrite\nError from server: admission webhook "managednamespace.aks.azure.com" denied the request: Updating/deleting namespace team-a labels is not allowed because it is managed by ARM. Please update this namespace through the ARM API.',
    'mns-quota': '$ kubectl delete resourcequota defaultresourcequota --namespace team-a\nError from server: Deleting resource quota defaultresourcequota is not allowed because it is managed by ARM.',
    'nm-authz-generic': "(AuthorizationFailed) The client 'dev@contoso.com' with object id '2222' does not have authorization to perform action 'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action' over scope '/subscriptions/000/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1' or the scope is invalid. If access was recently granted, please refresh your credentials.",
    'nm-not-allowed-because': 'Error: deleting the lock is not allowed because it is managed by a policy assignment.',
    'aci-toomanyrequests-aci': '$ az container create -g rg-jobs -n nightly --image redis:7\nContainer group nightly: Failed to pull image "redis:7": toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limits',
    '10250-http-to-https': '$ kubectl exec -it web-0 -- sh\nError from server: Get "https://aks-nodepool1-2222-vmss000001:10250/containerLogs/default/web-0/web": http: server gave HTTP response to HTTPS client',
    'aca-ingress-routes': 'Container Apps system log for my container app checkout: Error: ingress routes not ready. Revision checkout--v3 Failed.',
    'aca-mount-volume': 'Container app reports-api system log: Error mounting volume shared-files. Revision reports-api--0000007 is Degraded.',
    'aca-scaler-metrics': "My container app worker doesn't scale. System logs show: Error fetching scaler metrics for scaler azure-servicebus",
    'aca-timeout': 'System log: Error provisioning revision orders-api--r7x2k. ErrorCode: [Time-out]',
    'aci-cce-base64': '(InvalidCcePolicy) The CCE Policy is not valid Base64.',
    'aci-cce-create-denied': 'Container creation denied due to policy: create_container not allowed by policy. Errors: [invalid command].',
    'aci-cce-devicehash': 'failed to mount container storage: failed to add LCOW layer: failed to add SCSI layer: failed to modify UVM with new SCSI mount: guest modify: guest RPC failure: mounting scsi device controller 3 lun 2 onto /run/mounts/m4 denied by policy: mount_device not allowed by policy. Errors: [deviceHash not found].',
    'aci-cce-framework': 'guest modify: guest RPC failure: overlay creation denied by policy: mount_overlay not allowed by policy. Errors: [framework_svn is ahead of the current svn: 1.1.0 > 0.1.0].',
    'aci-cce-rego': 'Deployment Failed. ErrorMessage=failed to create containerd task: failed to create shim task: uvm::Policy: failed to modify utility VM configuration: guest modify: guest RPC failure: error creating Rego policy: rego compilation failed: rego compilation failed: 4 errors occurred:',
    'aci-dockerhub-ratelimit': "$ az container create -g rg-jobs -n nightly --image nginx:latest\n(RegistryErrorResponse) An error response is received from the docker registry 'index.docker.io'. Please retry later.\nCode: RegistryErrorResponse",
    'aci-gpu-unavailable': '$ az container create -g rg -n gpu1 --image myimg --gpu-count 1 --gpu-sku V100\n(ServiceUnavailable) Service unavailable. Please try again later or contact support if this problem persists.',
    'aci-mi-api-version': 'Deployment failed. Correlation ID: 1234. {"error": {"code": "InvalidImageRegistryCredentialType", "message": "Identity in \'imageRegistryCredentials\' of container group \'etl-cg\' is not supported."}}',
    'aci-pe-delegated': '$ az network private-endpoint create -g rg -n pe-acr --vnet-name vnet1 --subnet aci-subnet --private-connection-resource-id $ACR_ID --group-id registry --connection-name acr\n(PrivateEndpointCreationNotAllowedAsSubnetIsDelegated) Private endpoint /subscriptions/000/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe-acr cannot be created as subnet /subscriptions/000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/aci-subnet is delegated.',
    'aci-priority': "(PriorityNotSpecified) The 'Priority' must be one of 'Regular,Spot' for container group 'batch1'.",
    'aci-spot-gpu': '(SpotPriorityContainerGroupWithGPUResourcesNotSupported) Spot Priority Container Groups that include containers requesting GPU resources are not supported.',
    'aci-spot-inbound': '$ az container create -g rg -n spot1 --image myimage --priority spot --ports 80 --ip-address Public\n(SpotPriorityContainerGroupNotSupportedForInboundConnectivity) Spot Priority is not supported for container groups with inbound connectivity.',
    'aci-spot-sku': "(SpotPriorityContainerGroupNotSupportedInSku) Spot Priority Container Group is not supported in 'Confidential' Sku.",
    'aci-subnet-networkprofile': "Failed to delete subnet 'aci-subnet'. Error: Subnet aci-subnet is in use by /subscriptions/000/resourceGroups/rg/providers/Microsoft.Network/networkProfiles/aci-network-profile-vnet1-aci-subnet/containerNetworkInterfaceConfigurations/eth0/ipConfigurations/ipconfigprofile and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.",
    'aci-subnet-sal': "Failed to delete subnet 'aci-subnet'. Error: 'Subnet /subscriptions/000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/aci-subnet requires any of the following delegations [Microsoft.ContainerInstance/containerGroups] to reference service association link /subscriptions/000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/aci-subnet/serviceAssociationLinks/acisal.'",
    'aci-transitioning': "$ az container start -g rg -n nightly-job\n(ContainerGroupTransitioning) The container group 'nightly-job' is still transitioning, please retry later.",
    'acr-cache-toomanyrequests': 'failed to pull image: TOOMANYREQUESTS: too many requests to source registry for cache rule dockerhub-nginx',
    'acr-download-443-timeout': '$ docker pull contosoacr.azurecr.io/web/api:1.4\n1.4: Pulling from web/api\nerror pulling image configuration: download failed after attempts=6: dial tcp 20.60.1.4:443: i/o timeout',
    'acr-name-unknown-empty-repo': '$ az acr repository delete -n contosoacr --repository mailhog --yes\n2024-05-08 12:14:04.261355 Error: repository name not known to registry. Correlation ID: 11112222-3333-4444-5555-666677778888',
    'acr-request-canceled': '$ docker login contosoacr.azurecr.io\nError response from daemon: Get "https://contosoacr.azurecr.io/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)',
    'aks-authorized-ip-timeout': '$ kubectl get pods\nUnable to connect to the server: dial tcp 20.50.1.2:443: i/o timeout\n(my AKS cluster aks-prod has --api-server-authorized-ip-ranges set; I work from home today)',
    'aks-name-login': '(InvalidParameter) The value of parameter name is invalid. Error details: "login" managed cluster name is invalid because \'LOGIN\' and \'XBOX\' can\'t be used at the start of a resource name, but can be used later in the name.. Please see https://aka.ms/aks-naming-rules for more details.',
    'aks-name-microsoft': '$ az aks create -g rg -n omsagent-aks-dev-microsoft\n(InvalidParameter) The value of parameter name is invalid. Error details: "omsagent-aks-dev-microsoft" managed cluster name is invalid because \'MICROSOFT\' and \'WINDOWS\' can\'t be used as either a whole word or a substring in the name.. Please see https://aka.ms/aks-naming-rules for more details.',
    'automatic-feature': "$ az aks update -g rg -n aks1 --sku automatic\n(BadRequest) Managed cluster 'Automatic' SKU should enable nodeProvisioningProfile feature with recommended values.",
    'automatic-region': '$ az aks create -g rg -n auto1 --sku automatic -l brazilsoutheast\n(BadRequest) Automatic SKU is not supported in this region.',
    'automatic-taint': '$ az aks nodepool update -g rg --cluster-name auto1 -n systempool --node-taints ""\n(BadRequest) Managed cluster \'Automatic\' SKU should set taint \'CriticalAddonsOnlyNoSchedule\' for the system node pool.',
    'automatic-tier': "$ az aks update -g rg -n aks1 --sku automatic\n(BadRequest) Managed cluster 'Automatic' SKU should use Standard tier.",
    'automatic-vm-size': "$ az aks create -g rg -n auto1 --sku automatic -l westus\nAKS Automatic could not find a suitable VM size. The subscription may not have the required quota of '16' vCPUs, may have restrictions, or location westus may not support three availability zones for the following VM sizes: 'standard_d4lds_v5,standard_d4ads_v5'. Please request some quota for one of these candidate vm sizes in the target region or explicitly specify a vm-size with sufficient quota via --node-vm-size.",
    'autorepair-outbound': 'Warning  NodeRebootError  node/aks-nodepool1-123-vmss000001  Node auto-repair reboot action failed due to an operation failure: OutboundConnectivityNotEnabledOnVMSS',
    'azfiles-host-down': '$ kubectl describe pod web-7c9\n  Warning  Failed  kubelet  Error: failed to generate container "56907e98" spec: failed to generate spec: failed to stat "/var/lib/kubelet/pods/1a2b/volumes/kubernetes.io~csi/pvc-3b70/mount": stat /var/lib/kubelet/pods/1a2b/volumes/kubernetes.io~csi/pvc-3b70/mount: host is down',
    'azurelinux-cli': "$ az aks nodepool add -g rg --cluster-name aks1 -n linux2 --os-sku AzureLinux\naz aks nodepool add: error: argument --os-sku: invalid choice: 'AzureLinux' (choose from 'Ubuntu', 'CBLMariner', 'Windows2019', 'Windows2022')",
    'cse-exit-99': '(VMExtensionProvisioningError) VM has reported a failure when processing extension \'vmssCSE\'. Error message: "Enable failed: failed to execute command: command terminated with exit status=99"',
    'disk-uid-gid': 'Warning  FailedMount  63s  kubelet  MountVolume.MountDevice failed for volume "pvc-d783d0e4" : azureDisk - mountDevice:FormatAndMount failed with mount failed: exit status 32\nMounting command: systemd-run\nMounting arguments: --description=Kubernetes transient mount --scope -- mount -t xfs -o dir_mode=0777,file_mode=0777,uid=1000,gid=1000,defaults /dev/disk/azure/scsi1/lun2 /var/lib/kubelet/plugins/kubernetes.io/azure-disk/mounts/m436970985\nOutput: mount: wrong fs type, bad option, bad superblock on /dev/sde, missing codepage or helper program, or other error',
    'ext-version-not-resolved': '(ExtensionOperationFailed) The extension operation failed with the following error:  Failed to resolve the extension version from the given values. Please refer https://aka.ms/k8s-extension-type-versions to find the correct version for your installation',
    'file-share-403-dynamic': '$ kubectl describe pvc data-claim\nEvents:\n  Warning  ProvisioningFailed  persistentvolume-controller  Failed to provision volume with StorageClass "azurefile-csi": failed to create share kubernetes-dynamic-pvc-1a2b in account f1a2b3c4d5: failed to create file share, err: storage: service returned error: StatusCode=403, ErrorCode=AuthorizationFailure, ErrorMessage=This request is not authorized to perform this operation.',
    'imageReference': "$ az aks upgrade -g rg-orders -n aks-orders --kubernetes-version 1.29.4\n(PropertyChangeNotAllowed) Changing property 'imageReference' is not allowed.\nCode: PropertyChangeNotAllowed\nTarget: imageReference",
    'invalidresourcereference-lbrule': '$ az aks update -g rg-app -n aks-app --load-balancer-managed-outbound-ip-count 2\n(InvalidResourceReference) Resource /subscriptions/0000/resourceGroups/MC_rg-app_aks-app_eastus/providers/Microsoft.Network/loadBalancers/kubernetes/frontendIPConfigurations/abc123 referenced by resource /subscriptions/0000/resourceGroups/MC_rg-app_aks-app_eastus/providers/Microsoft.Network/loadBalancers/kubernetes/loadBalancingRules/aksOutboundRule was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.',
    'invalidresourcereference-subnet': 'Deployment failed. Code="InvalidResourceReference" Message="Resource /subscriptions/0000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-aks referenced by resource /subscriptions/0000/resourceGroups/MC_rg-app_aks-app_westeurope/providers/Microsoft.Compute/virtualMachineScaleSets/aks-nodepool1-123-vmss was not found. Please make sure that the referenced resource exists, and that both resources are in the same region." Details=[]',
    'nm-arm-invalidref': 'Deployment failed. Code="InvalidResourceReference" Message="Resource /subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-web referenced by resource /subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/web was not found. Please make sure that the referenced resource exists, and that both resources are in the same region."',
    'nm-download-refused': 'error pulling image configuration: download failed after attempts=6: dial tcp 20.60.1.4:443: connect: connection refused',
    'nm-error-mounting-volume-compose': "docker compose up: Error response from daemon: error while mounting volume '/var/lib/docker/volumes/data/_data': failed to mount local volume. Error mounting volume data",
    'nm-file-share-quota': 'Warning ProvisioningFailed persistentvolume-controller failed to provision volume with StorageClass "azurefile": failed to create share kubernetes-dynamic-pvc-1 in account abc: failed to create file share, err: storage: service returned error: StatusCode=400, ErrorCode=ShareQuotaInvalid',
    'nm-formatandmount': 'MountVolume.MountDevice failed for volume "pvc-1" : azureDisk - mountDevice:FormatAndMount failed with mount failed: exit status 32 Output: mount: /var/lib/kubelet/plugins/x: special device /dev/disk/azure/scsi1/lun0 does not exist.',
    'nm-generic-service-unavailable': '$ az webapp create -g rg -n myweb -p plan1\nService unavailable. Please try again later or contact support if this problem persists.',
    'nm-host-down-nfs': "mount.nfs: mount to NFS server '10.0.0.4:/export' failed: host is down",
    'nm-http-https-registry': '$ docker push 10.0.0.5:5000/app:1\nGet "https://10.0.0.5:5000/v2/": http: server gave HTTP response to HTTPS client',
    'nm-imageref-vmss': "$ az vmss update -g rg -n web-vmss --set virtualMachineProfile.storageProfile.imageReference.version=latest\n(PropertyChangeNotAllowed) Changing property 'imageReference' is not allowed.",
    'nm-kubectl-gke': '$ kubectl get pods\nUnable to connect to the server: dial tcp 34.12.1.2:443: i/o timeout   (GKE cluster in europe-west1, gcloud container clusters get-credentials)',
    'nm-mcr-canceled': 'Get "https://mcr.microsoft.com/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)',
    'nm-name-unknown-pull': '$ docker pull contosoacr.azurecr.io/mailhog:latest\nError response from daemon: pull access denied for contosoacr.azurecr.io/mailhog, repository does not exist: name unknown: repository name not known to registry',
    'nm-registryerror-acr': "(RegistryErrorResponse) An error response is received from the docker registry 'contosoacr.azurecr.io'. Please retry later.",
    'nm-sqlite-local': 'My Flask app on App Service crashes: sqlite3.OperationalError SQLITE_BUSY: database is locked (database file in /home on the app)',
    'nm-storage-403': 'Azure.RequestFailedException: This request is not authorized to perform this operation. Status: 403 (This request is not authorized to perform this operation.) ErrorCode: AuthorizationFailure  at BlobContainerClient.CreateIfNotExists() from my function app',
    'nm-toomanyrequests-acr': '$ docker pull contosoacr.azurecr.io/api:1\ntoomanyrequests: too many requests. Please retry later. TOOMANYREQUESTS',
    'nm-x509-python': "requests.exceptions.SSLError: HTTPSConnectionPool(host='api.partner.com', port=443): Max retries exceeded (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] x509: certificate has expired or is not yet valid')))  from my Azure Function",
    'node-certs-expired': '$ kubectl get nodes\nNAME STATUS\naks-nodepool1-1234-vmss000000 NotReady\nkubelet log: x509: certificate has expired or is not yet valid: current time 2026-03-01T10:00:00Z is after 2026-02-27T08:00:00Z  (AKS cluster created 2 years ago)',
    'sched-untolerated-taint': '  Warning  FailedScheduling  default-scheduler  0/2 nodes are available: 2 node(s) had untolerated taint {CriticalAddonsOnly: true}. preemption: 0/2 nodes are available (AKS)',
    'sched-volume-affinity': '$ kubectl describe pod db-0\nEvents:\n  Warning  FailedScheduling  default-scheduler  0/3 nodes are available: 3 node(s) had volume node affinity conflict. preemption: 0/3 nodes are available',
    'sqlite-busy-azfiles': 'Our app on AKS uses SQLite on an Azure Files persistent volume (azurefile storage class) and keeps failing with Error: SQLITE_BUSY: database is locked',
    'windows-cse-5': '$ az aks nodepool add -g rg-k8s --cluster-name aks-demo -n win1 --os-type Windows\n(VMExtensionProvisioningError) Code="VMExtensionProvisioningError" Message="CSE Error: WINDOWS_CSE_ERROR_CHECK_API_SERVER_CONNECTIVITY." Exit Code: 5. Details: Unable to establish connection from agents to Kubernetes API server.',
}

# (paste, entry the index ranks first, category of a conclusive answer or None, deciding detail in the root cause)
ENTRIES: list[tuple[str, str, str | None, str | None]] = [
    ('gatekeeper-limits', 'containers-aks-gatekeeper-container-limits-missing', 'deployment.policy_denied', 'limit'),
    ('tf-policy-def-not-found', 'containers-terraform-policy-assignment-definition-not-found', 'deployment.parent_not_found', 'nothing orders them'),
    ('win2019-gen2', 'containers-aks-windows2019-gen2-vm-size', 'deployment.template_invalid', 'generation 1'),
    ('istio-region', 'containers-aks-istio-region-not-supported', 'quota.sku_not_available', 'region'),
    ('istio-mode-missing', 'containers-aks-istio-mode-missing', 'deployment.template_invalid', 'mode'),
    ('istio-ingress-mode', 'containers-aks-istio-ingress-mode-invalid', 'deployment.template_invalid', 'External or Internal'),
    ('istio-too-many', 'containers-aks-istio-too-many-ingresses', 'quota.exceeded', 'one ingress gateway of each type'),
    ('istio-profile-missing', 'containers-aks-istio-profile-missing', 'deployment.template_invalid', 'istio profile'),
    ('istio-incompatible', 'containers-aks-istio-incompatible-feature', 'deployment.template_invalid', 'Open Service Mesh'),
    ('istio-plugin-ca-params', 'containers-aks-istio-plugin-ca-params', 'deployment.template_invalid', 'plug-in CA'),
    ('istio-kv-addon', 'containers-aks-istio-plugin-ca-needs-kv-addon', 'deployment.template_invalid', 'Secrets Store CSI driver'),
    ('istio-kv-id', 'containers-aks-istio-keyvault-id-invalid', 'deployment.template_invalid', 'full resource ID'),
    ('istio-k8s-version-missing', 'containers-aks-istio-k8s-version-missing', 'deployment.template_invalid', 'Kubernetes version'),
    ('istio-revision-incompatible', 'containers-aks-istio-revision-incompatible', 'deployment.template_invalid', 'does not support the cluster'),
    ('istio-k8s-unsupported', 'containers-aks-istio-k8s-version-unsupported', 'deployment.template_invalid', 'no longer supports'),
    ('istio-revision-empty', 'containers-aks-istio-revision-empty', 'deployment.template_invalid', 'names no revision'),
    ('istio-max-revisions', 'containers-aks-istio-max-revisions', 'deployment.resource_locked', 'canary upgrade'),
    ('istio-upgrade-in-progress', 'containers-aks-istio-upgrade-in-progress', 'deployment.resource_locked', 'canary upgrade'),
    ('mp-extensionaddons-403', 'containers-aks-marketplace-app-kubernetesconfiguration-not-registered', 'deployment.provider_not_registered', 'Microsoft.KubernetesConfiguration'),
    ('mp-payment', 'containers-aks-marketplace-offer-payment-instrument', 'quota.sku_not_available', 'payment instrument'),
    ('mp-market', 'containers-aks-marketplace-offer-not-sold-in-market', 'quota.sku_not_available', 'market'),
    ('mp-helm-chart', 'containers-aks-marketplace-app-chart-install-failed', 'deployment.template_invalid', 'chart'),
    ('mns-edit', 'containers-aks-managed-namespace-managed-by-arm', 'deployment.resource_locked', 'Resource Manager'),
    ('mns-quota', 'containers-aks-managed-namespace-managed-by-arm', 'deployment.resource_locked', 'defaultresourcequota'),
    ('imageReference', 'containers-aks-image-reference-change-not-allowed', 'deployment.template_invalid', 'MC_'),
    ('invalidresourcereference-subnet', 'containers-aks-invalid-resource-reference-node-subnet', 'deployment.parent_not_found', 'region'),
    ('invalidresourcereference-lbrule', 'containers-aks-invalid-resource-reference-outbound-rule', 'deployment.parent_not_found', 'aksOutboundRule'),
    ('windows-cse-5', 'containers-aks-windows-cse-api-server-connectivity', 'network.nsg_blocked', 'API server'),
    ('10250-http-to-https', 'containers-aks-kubelet-10250-http-response', None, None),
    ('file-share-403-dynamic', 'containers-aks-azurefile-dynamic-share-firewall', None, None),
    ('disk-uid-gid', 'containers-aks-azure-disk-uid-gid-mount-options', 'deployment.template_invalid', 'uid'),
    ('acr-download-443-timeout', 'containers-acr-data-endpoint-443-timeout', 'network.nsg_blocked', 'data'),
    ('acr-request-canceled', 'containers-acr-login-server-connection-timeout', 'network.nsg_blocked', 'login server'),
    ('acr-name-unknown-empty-repo', 'containers-acr-delete-empty-repository-name-unknown', 'config.wrong_resource_name', 'orphaned metadata'),
    ('acr-cache-toomanyrequests', 'containers-acr-cache-rule-upstream-throttled', 'throttling.rate_limited', 'cache rule'),
    ('aci-dockerhub-ratelimit', 'containers-aci-docker-hub-registry-error', 'throttling.rate_limited', 'Docker Hub'),
    ('aci-spot-inbound', 'containers-aci-spot-inbound-connectivity', 'deployment.template_invalid', 'inbound'),
    ('aci-spot-sku', 'containers-aci-spot-sku-not-supported', 'deployment.template_invalid', 'Standard'),
    ('aci-spot-gpu', 'containers-aci-spot-gpu-not-supported', 'deployment.template_invalid', 'GPU'),
    ('aci-priority', 'containers-aci-priority-value-invalid', 'deployment.template_invalid', 'Regular or Spot'),
    ('aci-cce-rego', 'containers-aci-cce-policy-rego-or-create-denied', 'deployment.template_invalid', 'CCE'),
    ('aci-cce-create-denied', 'containers-aci-cce-policy-rego-or-create-denied', 'deployment.template_invalid', 'CCE'),
    ('aci-cce-devicehash', 'containers-aci-cce-policy-device-hash', 'deployment.template_invalid', 'cached image'),
    ('aci-cce-framework', 'containers-aci-cce-policy-framework-ahead', 'deployment.template_invalid', 'framework'),
    ('aci-cce-base64', 'containers-aci-cce-policy-not-base64', 'deployment.template_invalid', 'base64'),
    ('aci-mi-api-version', 'containers-aci-registry-identity-old-api-version', 'deployment.template_invalid', '2021-07-01'),
    ('aci-pe-delegated', 'containers-aci-private-endpoint-in-delegated-subnet', 'deployment.template_invalid', 'delegated'),
    ('aci-subnet-sal', 'containers-aci-subnet-service-association-link', 'deployment.resource_locked', 'service association link'),
    ('aci-subnet-networkprofile', 'containers-aci-subnet-network-profile-left', 'deployment.resource_locked', 'network profile'),
    ('aci-gpu-unavailable', 'containers-aci-gpu-service-unavailable', None, None),
    ('sched-untolerated-taint', 'containers-aks-untolerated-taint', 'deployment.template_invalid', 'taint'),
    ('sched-volume-affinity', 'containers-aks-volume-node-affinity-conflict', None, None),
    ('autorepair-outbound', 'compute-vmss-flex-no-outbound-connectivity', 'deployment.template_invalid', 'outbound'),
    ('node-certs-expired', 'containers-aks-node-certificates-expired', 'auth.credential_invalid', 'certificates'),
    ('cse-exit-99', 'containers-aks-cse-exit-99-apt-blocked', 'network.nsg_blocked', 'apt-get'),
    ('ext-version-not-resolved', 'containers-aks-extension-version-not-resolved', 'deployment.template_invalid', 'version'),
    ('aca-timeout', 'containers-aca-revision-provisioning-timeout', None, None),
    ('aca-ingress-routes', 'containers-aca-ingress-routes-not-ready', None, None),
    ('aca-scaler-metrics', 'containers-aca-scaler-metrics-fetch-failed', None, None),
    ('aca-mount-volume', 'containers-aca-error-mounting-volume', None, None),
    ('aks-name-microsoft', 'containers-aks-cluster-name-reserved-word', 'deployment.template_invalid', 'MICROSOFT or WINDOWS'),
    ('aks-name-login', 'containers-aks-cluster-name-reserved-word', 'deployment.template_invalid', 'LOGIN'),
    ('aks-authorized-ip-timeout', 'containers-aks-kubectl-api-server-timeout', 'network.nsg_blocked', 'authorized IP ranges'),
    ('azfiles-host-down', 'containers-aks-azure-files-mount-host-down', None, None),
    ('sqlite-busy-azfiles', 'containers-aks-azure-files-sqlite-locked-nobrl', 'deployment.template_invalid', 'nobrl'),
    ('automatic-vm-size', 'containers-aks-automatic-no-suitable-vm-size', None, None),
    ('automatic-region', 'containers-aks-automatic-region-not-supported', 'quota.sku_not_available', 'API Server VNet Integration'),
    ('automatic-taint', 'containers-aks-automatic-system-taint-required', 'deployment.template_invalid', 'CriticalAddonsOnly'),
    ('automatic-feature', 'containers-aks-automatic-feature-required', 'deployment.template_invalid', 'Automatic feature'),
    ('automatic-tier', 'containers-aks-automatic-standard-tier-required', 'deployment.template_invalid', 'Standard pricing tier'),
    ('aci-transitioning', 'containers-aci-container-group-transitioning', 'deployment.resource_locked', 'Stopped'),
    ('azurelinux-cli', 'containers-aks-cli-os-sku-azurelinux-unknown', 'runtime.dependency_missing', 'predates'),
]

NEW_IDS = {entry for _, entry, _, _ in ENTRIES} - {"containers-aks-volume-node-affinity-conflict", "compute-vmss-flex-no-outbound-connectivity"}

# (paste, the older entry that keeps it, or None when only the new entries must stay away)
NEAR_MISSES: list[tuple[str, str | None]] = [
    ('nm-taint-mixed', 'containers-insufficient-resources'),
    ('nm-taint-scaleup', None),
    ('gatekeeper-privileged', 'containers-aks-gatekeeper-denied'),
    ('nm-policy-param', None),
    ('nm-authz-generic', 'arm-authorization-failed'),
    ('nm-not-allowed-because', None),
    ('nm-arm-invalidref', 'arm-invalid-resource-reference'),
    ('nm-storage-403', 'storage-authorization-failure'),
    ('nm-imageref-vmss', 'arm-property-change-not-allowed'),
    ('nm-http-https-registry', None),
    ('nm-file-share-quota', None),
    ('nm-formatandmount', None),
    ('nm-download-refused', None),
    ('nm-mcr-canceled', None),
    ('nm-name-unknown-pull', 'containers-name-unknown'),
    ('nm-toomanyrequests-acr', 'containers-acr-too-many-requests'),
    ('nm-registryerror-acr', 'containers-aci-registry-error-response'),
    ('nm-generic-service-unavailable', None),
    ('nm-error-mounting-volume-compose', None),
    ('nm-x509-python', None),
    ('nm-sqlite-local', None),
    ('nm-kubectl-gke', 'containers-pull-io-timeout'),
    ('nm-host-down-nfs', None),
]



@pytest.mark.parametrize(("paste", "entry"), [(p, e) for p, e, _, _ in ENTRIES])
def test_the_article_error_reaches_its_entry(paste: str, entry: str) -> None:
    assert best_entry_id(PASTES[paste]) == entry


@pytest.mark.parametrize(("paste", "category", "detail"), [(p, c, d) for p, _, c, d in ENTRIES if c])
def test_a_conclusive_entry_answers_with_the_articles_cause(paste: str, category: str, detail: str) -> None:
    envelope = run_engine({"error_description": PASTES[paste]}).envelope()
    assert envelope["status"] == "done", envelope
    report = envelope["report"]
    assert report["category"] == category
    assert report["confidence"] != "high"
    assert detail.lower() in report["root_cause"].lower()


@pytest.mark.parametrize("paste", [p for p, _, c, _ in ENTRIES if c is None])
def test_an_inconclusive_entry_asks_for_its_check_before_concluding(paste: str) -> None:
    envelope = run_engine({"error_description": PASTES[paste]}).envelope()
    assert envelope["status"] == "request" or envelope["report"]["confidence"] == "low"


@pytest.mark.parametrize(("paste", "older"), NEAR_MISSES)
def test_near_misses_keep_away_from_the_new_entries(paste: str, older: str | None) -> None:
    best = best_entry_id(PASTES[paste])
    assert best not in NEW_IDS
    if older is not None:
        assert best == older


def test_docker_hub_limits_of_a_container_group_are_azures_pull_not_out_of_scope() -> None:
    envelope = run_engine({"error_description": PASTES["aci-toomanyrequests-aci"]}).envelope()
    assert envelope["status"] == "done", envelope
    assert envelope["report"]["category"] == "throttling.rate_limited"
    assert "docker hub" in envelope["report"]["root_cause"].lower()


def test_an_acr_refusal_beside_a_docker_hub_limit_keeps_the_registry_reading() -> None:
    text = PASTES["aci-toomanyrequests-aci"].replace(
        "redis:7", "contosoacr.azurecr.io/jobs/etl:2.1").replace(
        "toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and "
        "upgrading: https://www.docker.com/increase-rate-limits",
        "failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized")
    envelope = run_engine({"error_description": text}).envelope()
    assert envelope["status"] != "done" or envelope["report"]["category"] != "throttling.rate_limited"


@pytest.mark.parametrize("paste", ["aci-waiting-stuck", "aci-waiting-timeout"])
def test_a_container_group_stuck_waiting_asks_for_its_events(paste: str) -> None:
    clue = clue_in([PASTES[paste]])
    assert clue is not None and clue["id"] == "aci-container-group-stuck-waiting"
    outcome = run_engine({"error_description": PASTES[paste]})
    assert outcome.envelope()["status"] == "request"
    assert "instanceView.events" in " ".join(outcome.requests[-1].request.suggested_commands)


def test_a_running_container_group_is_not_the_waiting_clue() -> None:
    clue = clue_in([PASTES["nm-aci-running"]])
    assert clue is None or clue["id"] != "aci-container-group-stuck-waiting"
